package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.core.rotation.DatabaseHosts;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import javax.net.ssl.SSLException;
import org.postgresql.Driver;

/**
 * Opens PostgreSQL connections for the rotation strategies: only to hosts on the allow-list, with
 * TLS as the login's sslmode asks (verify-ca and verify-full against the given CA certificates,
 * held in memory, or else the JVM's trusted CAs; never a fallback to plaintext), with connect,
 * login and socket timeouts. A failure is a {@link LoginFailure} that tells a refused login from a
 * database that can't be reached; its message is the operator's own and never the driver's (which
 * may quote what it was sent).
 */
public final class PostgresConnector {

  /** What to connect with: the allow-list and the timeouts. */
  public record Settings(DatabaseHosts hosts, Duration connectTimeout, Duration socketTimeout) {}

  /** Why a connection failed. */
  public enum Cause {
    /** The server refused the user name and password. */
    REFUSED,
    /** TLS was asked and failed: not offered, or the certificate did not verify. */
    TLS,
    /** The server could not be reached or answered otherwise. */
    UNREACHABLE
  }

  /** A connection that failed; the message carries no value. */
  public static final class LoginFailure extends SecretsManagerException {
    private final Cause cause;

    LoginFailure(Cause cause, String message) {
      super(
          cause == Cause.REFUSED
              ? AwsError.INVALID_REQUEST_EXCEPTION
              : AwsError.INTERNAL_SERVICE_ERROR,
          message);
      this.cause = cause;
    }

    public Cause why() {
      return cause;
    }
  }

  private final Settings settings;
  private final byte[] caCertificates;

  /**
   * @param caCertificates PEM certificates of the CAs that sign the server's certificate, or null
   *     for the JVM's trusted CAs
   */
  public PostgresConnector(Settings settings, byte[] caCertificates) {
    this.settings = settings;
    this.caCertificates = caCertificates == null ? null : caCertificates.clone();
  }

  /** Refuses a host not on the allow-list (InvalidParameterException). */
  public void requireAllowed(String host) {
    settings.hosts().require(host);
  }

  /**
   * Logs in.
   *
   * @param who whose login it is, for the message ("the AWSPENDING login", ...)
   * @throws LoginFailure the login failed
   * @throws SecretsManagerException InvalidParameterException when the host is not allowed
   */
  public Connection open(PostgresLogin login, String who) {
    requireAllowed(login.host());
    Properties props = new Properties();
    props.setProperty("user", login.username());
    props.setProperty("password", login.password());
    props.setProperty("ApplicationName", "managedsecret-operator rotation");
    long connect = Math.max(1, settings.connectTimeout().toSeconds());
    props.setProperty("connectTimeout", Long.toString(connect));
    props.setProperty("loginTimeout", Long.toString(connect));
    props.setProperty("socketTimeout", Long.toString(settings.socketTimeout().toSeconds()));
    props.setProperty("sslResponseTimeout", Long.toString(connect * 1000));
    props.setProperty("sslmode", login.sslmode().word());
    props.setProperty("gssEncMode", "disable");
    boolean verify =
        login.sslmode() == PostgresLogin.SslMode.VERIFY_CA
            || login.sslmode() == PostgresLogin.SslMode.VERIFY_FULL;
    if (verify && caCertificates != null) {
      props.setProperty("sslfactory", PemTrustSslFactory.class.getName());
      props.setProperty("sslfactoryarg", Base64.getEncoder().encodeToString(caCertificates));
    } else if (verify) {
      props.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
    }
    try {
      Connection c = new Driver().connect(url(login), props);
      if (c == null) {
        throw new LoginFailure(Cause.UNREACHABLE, "The database address is not usable.");
      }
      return c;
    } catch (SQLException e) {
      throw failure(e, login, who);
    }
  }

  private static LoginFailure failure(SQLException e, PostgresLogin login, String who) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String where = " at " + login.host() + ":" + login.port();
    if (state.startsWith("28")) {
      return new LoginFailure(
          Cause.REFUSED,
          "The database"
              + where
              + " refused "
              + who
              + ": the user or its secret is wrong ("
              + state
              + ").");
    }
    if (tls(e) || (login.sslmode() != PostgresLogin.SslMode.DISABLE && state.equals("08004"))) {
      return new LoginFailure(
          Cause.TLS,
          "TLS with the database"
              + where
              + " failed for "
              + who
              + " with sslmode "
              + login.sslmode().word()
              + ": the server offers no TLS, or its certificate does not verify against the CA"
              + " (and, for verify-full, the host name). The operator never falls back to"
              + " plaintext.");
    }
    return new LoginFailure(
        Cause.UNREACHABLE,
        "The database"
            + where
            + " could not be reached for "
            + who
            + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")")
            + "; it is tried again.");
  }

  private static boolean tls(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof java.security.cert.CertificateException) {
        return true;
      }
      String m = t.getMessage();
      if (m != null && (m.contains("hostnameverifier") || m.contains("does not support SSL"))) {
        return true;
      }
    }
    return false;
  }

  private static String url(PostgresLogin login) {
    String host = login.host().contains(":") ? "[" + login.host() + "]" : login.host();
    return "jdbc:postgresql://"
        + host
        + ":"
        + login.port()
        + "/"
        + URLEncoder.encode(login.dbname(), StandardCharsets.UTF_8);
  }
}
