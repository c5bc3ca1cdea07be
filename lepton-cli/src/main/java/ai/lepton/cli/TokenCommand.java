package ai.lepton.cli;

import ai.lepton.api.CreateToken;
import ai.lepton.api.TokenCreated;
import ai.lepton.api.TokenInfo;
import ai.lepton.api.TokenList;
import ai.lepton.client.LeptonClient;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lepton token list|create|revoke}: API tokens for scripts and this command. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = {"API tokens: scoped (read, write, admin), expiring, revocable.",
        "TOKEN is a token's id, or its name when no other token has it."})
final class TokenCommand {
  private static final Pattern DAYS = Pattern.compile("([1-9][0-9]{0,2})d");

  @Mixin ClientOptions options;

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Your tokens in the organization (every member's for admins); never their "
          + "secrets.")
  int list() {
    TokenList tokens = options.client().tokens(options.org());
    Instant now = Instant.now();
    Table table = new Table("ID", "NAME", "SCOPE", "PROJECT", "USER", "EXPIRES", "LAST USED",
        "STATUS");
    for (TokenInfo t : tokens.items()) {
      table.row(t.id(), t.name(), t.scope(), t.projectId(), t.userId(), t.expiresAt(),
          t.lastUsedAt(), t.revokedAt() != null ? "revoked"
              : t.expiresAt().isBefore(now) ? "expired" : "active");
    }
    return options.print(tokens, table);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a token for yourself in the organization. Its secret is printed "
          + "this once: the server keeps only a hash.")
  int create(@Parameters(paramLabel = "NAME", description = "what it is for, 1-100 characters")
      String name,
      @Option(names = "--scope", defaultValue = "read",
          description = "read, write or admin (default ${DEFAULT-VALUE}); at most your own")
      String scope,
      @Option(names = "--project", paramLabel = "PROJECT",
          description = "limit it to one project (name or id)") String project,
      @Option(names = "--expires", defaultValue = "90d", paramLabel = "WHEN",
          description = "in N days (30d), on a date (2026-06-30, at 00:00 UTC) or at an instant "
              + "(2026-06-30T12:00:00Z); at most a year away (default ${DEFAULT-VALUE})")
      String expires) {
    Instant expiresAt = expiry(expires, Instant.now());
    LeptonClient client = options.client();
    String org = options.org();
    String projectId = project == null ? null : ProjectCommand.find(client, org, project).id();
    TokenCreated t = client.createToken(org, new CreateToken(name, scope, projectId, expiresAt));
    return options.print(t, "Created token " + t.info().id() + " '" + Table.plain(t.info().name())
        + "' (scope " + t.info().scope() + (projectId == null ? "" : ", project " + project)
        + ", expires " + Table.plain(t.info().expiresAt()) + "):\n\n    " + t.token() + "\n\n"
        + "Store it now (a secret store or a file only you can read): it is shown only this "
        + "once, and it acts as you. 'lepton token revoke " + t.info().id() + "' ends it.");
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke a token: yours, or any member's for admins. Requests with it fail "
          + "from now on.")
  int revoke(@Parameters(paramLabel = "TOKEN") String token) {
    LeptonClient client = options.client();
    String org = options.org();
    TokenInfo t = Refs.pick("token", token, client.tokens(org).items(), "lepton token list",
        TokenInfo::id, TokenInfo::name);
    client.revokeToken(org, t.id());
    return options.print(Map.of("revoked", t.id()), "Revoked token " + t.id() + " '"
        + Table.plain(t.name()) + "'.");
  }

  /** {@code 30d}, {@code 2026-06-30} or {@code 2026-06-30T12:00:00Z} as an instant. */
  static Instant expiry(String when, Instant now) {
    Matcher days = DAYS.matcher(when);
    if (days.matches()) {
      return now.plus(Duration.ofDays(Integer.parseInt(days.group(1))));
    }
    try {
      return when.contains("T") ? Instant.parse(when)
          : LocalDate.parse(when).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new CommandException("--expires takes a number of days (30d), a date (2026-06-30) "
          + "or an instant (2026-06-30T12:00:00Z); received '" + Table.plain(when) + "'");
    }
  }
}
