package dev.managedsecrets.operator.rotation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import java.util.Locale;

/**
 * A PostgreSQL login as a database secret's JSON holds it, in AWS's format: {@code engine}
 * (postgres or aurora-postgresql), {@code host}, {@code username}, {@code password}, optionally
 * {@code port} (5432), {@code dbname} (postgres), {@code sslmode} (verify-full) and {@code
 * masterarn}. Its {@link #toString} carries no password.
 */
public record PostgresLogin(
    String host,
    int port,
    String dbname,
    String username,
    String password,
    SslMode sslmode,
    String masterArn) {

  /** PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1). */
  public static final int MAX_USERNAME = 63;

  /** How the connection uses TLS; no mode that may fall back to a connection without it. */
  public enum SslMode {
    DISABLE,
    REQUIRE,
    VERIFY_CA,
    VERIFY_FULL;

    /** The mode as libpq and pgjdbc name it. */
    public String word() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static SslMode of(String word) {
      for (SslMode m : values()) {
        if (m.word().equals(word)) {
          return m;
        }
      }
      return null;
    }
  }

  /**
   * Reads the login from a value.
   *
   * @param which the version or secret it is, for the message (AWSPENDING, the administrator's
   *     secret, ...)
   * @throws SecretsManagerException InvalidRequestException when the value is no such login; the
   *     message names no key and carries no byte of the value
   */
  public static PostgresLogin of(SecretValue value, String which) {
    ObjectNode o = ValueAssembler.parseObject(value);
    if (o == null) {
      throw bad(which, "is not a JSON object");
    }
    String engine = o.path("engine").asText("");
    if (!engine.equals("postgres") && !engine.equals("aurora-postgresql")) {
      throw bad(which, "is not a login of engine postgres or aurora-postgresql");
    }
    String host = text(o, "host", 253);
    String username = text(o, "username", MAX_USERNAME);
    String password = text(o, "password", 4096);
    if (host == null || username == null || password == null) {
      throw bad(which, "lacks the host, the user or the user's secret, or one is too long");
    }
    int port = 5432;
    JsonNode p = o.path("port");
    if (!p.isMissingNode() && !p.isNull()) {
      String t = p.asText("");
      if (!t.matches("[0-9]{1,5}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > 65535) {
        throw bad(which, "has a port that is not 1-65535");
      }
      port = Integer.parseInt(t);
    }
    String dbname = o.has("dbname") ? text(o, "dbname", MAX_USERNAME) : "postgres";
    if (dbname == null) {
      throw bad(which, "has a database name that is empty or longer than 63 characters");
    }
    SslMode sslmode = SslMode.VERIFY_FULL;
    if (o.hasNonNull("sslmode")) {
      sslmode = SslMode.of(o.path("sslmode").asText(""));
      if (sslmode == null) {
        throw bad(
            which, "asks for a TLS mode other than disable, require, verify-ca or verify-full");
      }
    }
    String master = o.hasNonNull("masterarn") ? text(o, "masterarn", 2048) : null;
    return new PostgresLogin(host, port, dbname, username, password, sslmode, master);
  }

  /** The same login as another user with another password. */
  public PostgresLogin as(String user, String newPassword) {
    return new PostgresLogin(host, port, dbname, user, newPassword, sslmode, masterArn);
  }

  @Override
  public String toString() {
    return "PostgresLogin[" + username + "@" + host + ":" + port + "/" + dbname + "]";
  }

  private static String text(ObjectNode o, String key, int max) {
    JsonNode n = o.path(key);
    if (!n.isTextual() || n.asText().isEmpty() || n.asText().length() > max) {
      return null;
    }
    return n.asText();
  }

  private static SecretsManagerException bad(String which, String why) {
    return new SecretsManagerException(
        dev.managedsecrets.core.secret.AwsError.INVALID_REQUEST_EXCEPTION,
        "The "
            + which
            + " value "
            + why
            + ": the postgres rotation strategies read AWS's database secret format (see"
            + " docs/ROTATION.md).");
  }
}
