package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.rotation.RotationRules;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;

/**
 * The postgres-alternating-users strategy, as AWS's alternating-users rotation template does it: an
 * administrator sets the password of the user or of its clone ({@code <username>_clone}) in turn,
 * so the login AWSCURRENT held keeps working until the next rotation.
 *
 * <ol>
 *   <li>createSecret: AWSCURRENT's value with the other user's name and a new password;
 *   <li>setSecret: logs in with the pending login (set already: done); else checks that the
 *       AWSCURRENT login logs in, logs in as the administrator, creates the clone when it does not
 *       exist (LOGIN, a member of the user, so it has the user's privileges and memberships) and
 *       sets the pending user's password;
 *   <li>testSecret: logs in with the pending login.
 * </ol>
 */
public final class PostgresAlternatingUsers implements RotationStrategy {

  /** Reads the administrator's login: from the ManagedSecret the spec names, or by masterarn. */
  public interface Administrator {
    /**
     * The administrator's value (the caller clears it).
     *
     * @param masterArn the rotated value's masterarn, or null
     * @throws SecretsManagerException InvalidParameterException when there is no such secret in the
     *     namespace
     */
    SecretValue read(String masterArn);
  }

  private final ValueAssembler values;
  private final GenerateSpec password;
  private final PostgresConnector db;
  private final Administrator administrator;

  public PostgresAlternatingUsers(
      ValueAssembler values,
      Map<String, GenerateSpec> generate,
      PostgresConnector db,
      Administrator administrator) {
    this.values = values;
    this.password = PostgresSteps.passwordSpec(generate);
    this.db = db;
    this.administrator = administrator;
  }

  @Override
  public String name() {
    return RotationRules.POSTGRES_ALTERNATING_USERS;
  }

  /**
   * The other user's name: the clone's for the user, the user's for the clone.
   *
   * @throws SecretsManagerException InvalidParameterException when the clone's name would be longer
   *     than PostgreSQL's 63 characters
   */
  public static String alternate(String username) {
    String suffix = ValueAssembler.CLONE_SUFFIX;
    if (username.endsWith(suffix)) {
      return username.substring(0, username.length() - suffix.length());
    }
    if (username.length() + suffix.length() > PostgresLogin.MAX_USERNAME) {
      throw SecretsManagerException.invalidParameter(
          "The user name is too long to alternate: with "
              + suffix
              + " appended it would be longer than PostgreSQL's "
              + PostgresLogin.MAX_USERNAME
              + " characters.");
    }
    return username + suffix;
  }

  @Override
  public SecretValue createSecret(SecretValue current) {
    PostgresLogin login = PostgresLogin.of(current, "AWSCURRENT");
    db.requireAllowed(login.host());
    return values.rotate(
        current,
        Map.of(RotationRules.PASSWORD, password),
        Map.of(ValueAssembler.USERNAME, alternate(login.username())));
  }

  @Override
  public void setSecret(StagedValues staged) {
    PostgresLogin pending = PostgresLogin.of(staged.pending(), "AWSPENDING");
    if (PostgresSteps.logsIn(db, pending, "the AWSPENDING login")) {
      return; // set already: a resumed rotation
    }
    PostgresLogin current = PostgresLogin.of(staged.current(), "AWSCURRENT");
    // The credential rotated must work before the administrator acts on it (a confused deputy).
    if (!PostgresSteps.logsIn(db, current, "the AWSCURRENT login")) {
      throw new SecretsManagerException(
          AwsError.INVALID_REQUEST_EXCEPTION,
          "setSecret: the AWSCURRENT login does not log in to the database, so the administrator"
              + " does not act on it.");
    }
    PostgresLogin admin;
    SecretValue adminValue = administrator.read(current.masterArn());
    try {
      admin = PostgresLogin.of(adminValue, "administrator's");
    } finally {
      adminValue.clear();
    }
    if (!admin.host().toLowerCase(Locale.ROOT).equals(pending.host().toLowerCase(Locale.ROOT))
        || admin.port() != pending.port()) {
      throw SecretsManagerException.invalidParameter(
          "The administrator's login is for another database host or port than the rotated"
              + " login: the administrator acts only on its own database.");
    }
    boolean toClone = pending.username().endsWith(ValueAssembler.CLONE_SUFFIX);
    try (Connection c = db.open(admin, "the administrator's login")) {
      c.setAutoCommit(false);
      if (!exists(c, pending.username())) {
        try (Statement s = c.createStatement()) {
          s.execute("CREATE ROLE " + ident(c, pending.username()) + " WITH LOGIN");
        }
      }
      PostgresSteps.changePassword(c, pending.username(), pending.password());
      if (toClone) {
        // The clone is a member of the user: the user's privileges and memberships are its own.
        String user = alternate(pending.username());
        try (Statement s = c.createStatement()) {
          s.execute("GRANT " + ident(c, user) + " TO " + ident(c, pending.username()));
        }
      }
      c.commit();
    } catch (SQLException e) {
      throw PostgresSteps.failed("setSecret", e);
    } catch (PostgresConnector.LoginFailure f) {
      if (f.why() == PostgresConnector.Cause.REFUSED) {
        throw new SecretsManagerException(
            AwsError.INVALID_REQUEST_EXCEPTION,
            "setSecret: the administrator's login was refused: check the login held by the"
                + " administrator's ManagedSecret. "
                + f.getMessage());
      }
      throw f;
    }
  }

  @Override
  public void testSecret(StagedValues staged) {
    PostgresSteps.test(db, PostgresLogin.of(staged.pending(), "AWSPENDING"));
  }

  @Override
  public void testConfiguration(StagedValues staged) {
    PostgresSteps.test(db, PostgresLogin.of(staged.current(), "AWSCURRENT"));
  }

  private static boolean exists(Connection c, String role) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      s.setString(1, role);
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  private static String ident(Connection c, String name) throws SQLException {
    return c.unwrap(org.postgresql.PGConnection.class).escapeIdentifier(name);
  }
}
