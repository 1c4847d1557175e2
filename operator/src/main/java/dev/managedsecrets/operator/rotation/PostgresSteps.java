package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * What the two postgres strategies share: the password's parameters, a login attempt, the password
 * change (pgjdbc's client-side SCRAM: the new password never appears in SQL, only its SCRAM-SHA-256
 * verifier) and testSecret.
 */
final class PostgresSteps {

  /** AWS's rotation templates: 32 characters, none of / @ " ' \ and, for PostgreSQL, :. */
  static final String EXCLUDED = "/@\"'\\:";

  private PostgresSteps() {}

  /** The password's GetRandomPassword parameters: the spec's generate.password, else AWS's. */
  static GenerateSpec passwordSpec(Map<String, GenerateSpec> generate) {
    GenerateSpec spec = generate == null ? null : generate.get("password");
    if (spec != null) {
      return spec;
    }
    GenerateSpec aws = new GenerateSpec();
    aws.passwordLength = 32;
    aws.excludeCharacters = EXCLUDED;
    return aws;
  }

  /**
   * True when {@code login} logs in; false when the database refuses it.
   *
   * @throws PostgresConnector.LoginFailure the database can't be reached, or TLS failed
   */
  static boolean logsIn(PostgresConnector db, PostgresLogin login, String who) {
    try (Connection c = db.open(login, who)) {
      return true;
    } catch (PostgresConnector.LoginFailure f) {
      if (f.why() == PostgresConnector.Cause.REFUSED) {
        return false;
      }
      throw f;
    } catch (SQLException e) {
      return true; // the login succeeded; only closing failed
    }
  }

  /** Sets {@code user}'s password on {@code c} as its SCRAM-SHA-256 verifier. */
  static void changePassword(Connection c, String user, String password) throws SQLException {
    c.unwrap(PGConnection.class).alterUserPassword(user, password.toCharArray(), "scram-sha-256");
  }

  /** testSecret: the pending login logs in and runs a statement. */
  static void test(PostgresConnector db, PostgresLogin pending) {
    try (Connection c = db.open(pending, "the AWSPENDING login");
        Statement s = c.createStatement()) {
      s.execute("SELECT now()");
    } catch (SQLException e) {
      throw failed("testSecret", e);
    }
  }

  /** A statement failed: the SQLSTATE only, never the driver's message. */
  static SecretsManagerException failed(String step, SQLException e) {
    return new SecretsManagerException(
        AwsError.INTERNAL_SERVICE_ERROR,
        step
            + ": the database refused a statement (SQLSTATE "
            + (e.getSQLState() == null ? "unknown" : e.getSQLState())
            + ").");
  }
}
