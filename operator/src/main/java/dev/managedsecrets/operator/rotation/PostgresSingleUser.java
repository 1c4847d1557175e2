package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.rotation.RotationRules;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The postgres-single-user strategy, as AWS's single-user rotation template does it: the role
 * changes its own password.
 *
 * <ol>
 *   <li>createSecret: AWSCURRENT's login with a new password;
 *   <li>setSecret: logs in with the pending password (set already: done), else with AWSCURRENT's,
 *       else with AWSPREVIOUS's, and changes the role's password to the pending one;
 *   <li>testSecret: logs in with the pending password.
 * </ol>
 */
public final class PostgresSingleUser implements RotationStrategy {

  private final ValueAssembler values;
  private final GenerateSpec password;
  private final PostgresConnector db;

  public PostgresSingleUser(
      ValueAssembler values, Map<String, GenerateSpec> generate, PostgresConnector db) {
    this.values = values;
    this.password = PostgresSteps.passwordSpec(generate);
    this.db = db;
  }

  @Override
  public String name() {
    return RotationRules.POSTGRES_SINGLE_USER;
  }

  @Override
  public SecretValue createSecret(SecretValue current) {
    db.requireAllowed(PostgresLogin.of(current, "AWSCURRENT").host());
    return values.rotate(current, Map.of(RotationRules.PASSWORD, password));
  }

  @Override
  public void setSecret(StagedValues staged) {
    PostgresLogin pending = PostgresLogin.of(staged.pending(), "AWSPENDING");
    if (PostgresSteps.logsIn(db, pending, "the AWSPENDING login")) {
      return; // set already: a resumed rotation
    }
    Map<String, PostgresLogin> tries = new LinkedHashMap<>();
    tries.put("the AWSCURRENT login", sameUser(pending, staged.current(), "AWSCURRENT"));
    Optional<SecretValue> previous = staged.previous();
    if (previous.isPresent()) {
      tries.put("the AWSPREVIOUS login", sameUser(pending, previous.get(), "AWSPREVIOUS"));
    }
    PostgresConnector.LoginFailure refused = null;
    for (Map.Entry<String, PostgresLogin> t : tries.entrySet()) {
      try (Connection c = db.open(t.getValue(), t.getKey())) {
        PostgresSteps.changePassword(c, pending.username(), pending.password());
        return;
      } catch (PostgresConnector.LoginFailure f) {
        if (f.why() != PostgresConnector.Cause.REFUSED) {
          throw f;
        }
        refused = f;
      } catch (SQLException e) {
        throw PostgresSteps.failed("setSecret", e);
      }
    }
    throw new SecretsManagerException(
        AwsError.INVALID_REQUEST_EXCEPTION,
        "setSecret: neither the AWSPENDING, AWSCURRENT nor AWSPREVIOUS login logs in, so the"
            + " login can't be changed. "
            + refused.getMessage());
  }

  @Override
  public void testSecret(StagedValues staged) {
    PostgresSteps.test(db, PostgresLogin.of(staged.pending(), "AWSPENDING"));
  }

  @Override
  public void testConfiguration(StagedValues staged) {
    PostgresSteps.test(db, PostgresLogin.of(staged.current(), "AWSCURRENT"));
  }

  /** {@code value}'s password for the pending login's user, host and database. */
  private static PostgresLogin sameUser(PostgresLogin pending, SecretValue value, String which) {
    PostgresLogin login = PostgresLogin.of(value, which);
    if (!login.username().equals(pending.username())) {
      throw new SecretsManagerException(
          AwsError.INVALID_REQUEST_EXCEPTION,
          "setSecret: the "
              + which
              + " login is another user than the AWSPENDING one; the single-user strategy changes"
              + " one user's own secret.");
    }
    return pending.as(login.username(), login.password());
  }
}
