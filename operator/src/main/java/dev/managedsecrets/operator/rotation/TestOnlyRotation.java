package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import java.util.UUID;

/**
 * AWS's test of a rotation that was turned on without RotateImmediately: createSecret and
 * testSecret only (the strategy's {@link RotationStrategy#testConfiguration}), then AWSPENDING is
 * removed from the version they made, pass or fail, so AWSCURRENT stays where it was and no
 * rotation is left unfinished. The first real rotation is in the first window. Knows no Kubernetes
 * type.
 */
public final class TestOnlyRotation {

  private final SecretsManagerService secrets;
  private final RotationRunner runner;

  public TestOnlyRotation(SecretsManagerService secrets, RotationRunner runner) {
    this.secrets = secrets;
    this.runner = runner;
  }

  /**
   * What the test did.
   *
   * @param secret the record after it: AWSCURRENT as it was, no AWSPENDING
   * @param failure why testSecret failed, or null when it passed
   */
  public record Tested(StoredSecret secret, RuntimeException failure) {}

  /**
   * Runs the test.
   *
   * @throws SecretsManagerException createSecret failed: nothing was stored
   */
  public Tested run(
      StoredSecret stored,
      RotationStrategy strategy,
      String keyArn,
      RotationRunner.Progress progress) {
    String token = UUID.randomUUID().toString();
    StoredSecret s =
        runner.createPending(stored, RotationRunner.current(stored), strategy, keyArn, token);
    RuntimeException failure = null;
    StagedValues values = new StagedValues(secrets, s, token);
    try {
      progress.done(RotationRunner.Step.createSecret, token);
      strategy.testConfiguration(values);
      progress.done(RotationRunner.Step.testSecret, token);
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      values.clear(false);
    }
    return new Tested(secrets.updateStage(s, StagingLabels.AWSPENDING, null, token), failure);
  }
}
