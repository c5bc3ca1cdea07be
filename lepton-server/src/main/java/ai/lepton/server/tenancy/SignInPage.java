package ai.lepton.server.tenancy;

/**
 * The page a one-time sign-in link opens ({@code /signin/<code>}): its script posts the code to
 * {@code POST /api/v1/session/link}, then offers to set a password. The server never writes the
 * code (or anything from the request) into the page, and the script writes text only, so nothing
 * can be injected; the code leaves the address bar at once and no Referer carries it.
 */
final class SignInPage {
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline';"
      + " style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none';"
      + " frame-ancestors 'none'";

  static final String HTML = """
      <!doctype html>
      <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Lepton: sign in</title>
        <style>body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; }
          input { width: 100%; margin: .5rem 0; }</style>
      </head>
      <body>
      <main>
        <h1>Lepton</h1>
        <p id="status">Signing you in...</p>
        <p id="next" hidden><a href="/orgs">Continue to your organizations</a></p>
        <form id="password" hidden>
          <label>Choose a password (12 to 256 characters)
            <input id="new" type="password" minlength="12" maxlength="256"
                   autocomplete="new-password" required></label>
          <button>Set password</button>
        </form>
      </main>
      <script>
      (async () => {
        const status = document.getElementById('status');
        const code = location.pathname.split('/').pop();
        history.replaceState(null, '', '/signin');
        const json = {'Content-Type': 'application/json'};
        const r = await fetch('/api/v1/session/link',
            {method: 'POST', headers: json, body: JSON.stringify({code})});
        const session = await r.json();
        if (!r.ok) { status.textContent = session.error.message; return; }
        status.textContent = 'Signed in as ' + session.user.email + '.';
        const next = document.getElementById('next');
        if (session.passwordSet) { next.hidden = false; return; }
        const form = document.getElementById('password');
        form.hidden = false;
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          const p = await fetch('/api/v1/me/password', {method: 'PUT',
              headers: {...json, 'X-CSRF-Token': session.csrfToken},
              body: JSON.stringify({newPassword: document.getElementById('new').value})});
          if (p.ok) {
            form.hidden = true;
            status.textContent = 'Password set: sign in with ' + session.user.email
                + ' and it from now on.';
            next.hidden = false;
          } else {
            status.textContent = (await p.json()).error.message;
          }
        });
      })();
      </script>
      </body>
      </html>
      """;

  private SignInPage() {}
}
