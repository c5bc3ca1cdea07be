package ai.lepton.server.web;

/**
 * HTML for the server-rendered pages: every value that did not come from this code goes through
 * {@link #text} (element content and quoted attribute values), so user data never becomes markup.
 */
public final class Html {
  private Html() {}

  /** {@code s} escaped for element content and double-quoted attribute values; null as "". */
  public static String text(Object s) {
    if (s == null) {
      return "";
    }
    String v = s.toString();
    StringBuilder b = new StringBuilder(v.length() + 16);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * A whole page: the shared head (Pico CSS and htmx from webjars, the page script), a skip link,
   * the navigation for a signed-in user ({@code user} null for none), and {@code main}, which the
   * caller built with {@link #text} around every value.
   */
  public static String page(String title, String user, String main) {
    String nav = user == null ? "" : """
          <ul>
            <li><a href="/orgs">Organizations</a></li>
            <li><span aria-label="signed in as">%s</span></li>
            <li><button type="button" class="secondary outline" data-action="sign-out">Sign out</button></li>
          </ul>
        """.formatted(text(user));
    return """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>%s · Lepton</title>
          <link rel="stylesheet" href="/webjars/picocss__pico/2.1.1/css/pico.min.css">
          <link rel="stylesheet" href="/web/lepton.css">
          <script src="/webjars/htmx.org/2.0.10/dist/htmx.min.js" defer></script>
          <script src="/web/lepton.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main">Skip to content</a>
          <header class="container">
            <nav aria-label="main">
              <ul><li><a href="/" class="brand"><strong>Lepton</strong></a></li></ul>
        %s    </nav>
          </header>
          <main id="main" class="container">
        %s
          </main>
        </body>
        </html>
        """.formatted(text(title), nav, main);
  }
}
