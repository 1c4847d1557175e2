package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import java.util.Map;
import java.util.UUID;

/**
 * AWS's test of a rotation that was turned on without RotateImmediately: createSecret and
 * testSecret only, then AWSPENDING is removed from the version they made, pass or fail, so
 * AWSCURRENT stays where it was and no rotation is left unfinished. The first real rotation is in
 * the first window. Knows no Kubernetes type.
 */
public final class TestOnlyRotation {

  private final SecretsManagerService secrets;
  private final GenerateRotation rotation;

  public TestOnlyRotation(SecretsManagerService secrets, GenerateRotation rotation) {
    this.secrets = secrets;
    this.rotation = rotation;
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
      Map<String, GenerateSpec> generate,
      String keyArn,
      GenerateRotation.Progress progress) {
    String token = UUID.randomUUID().toString();
    StoredSecret s =
        rotation.createPending(stored, GenerateRotation.current(stored), generate, keyArn, token);
    RuntimeException failure = null;
    try {
      progress.done(GenerateRotation.Step.createSecret, token);
      SecretValue pending = secrets.read(s, s.version(token).orElseThrow());
      try {
        GenerateRotation.test(pending, generate);
      } finally {
        pending.clear();
      }
      progress.done(GenerateRotation.Step.testSecret, token);
    } catch (RuntimeException e) {
      failure = e;
    }
    return new Tested(secrets.updateStage(s, StagingLabels.AWSPENDING, null, token), failure);
  }
}
