package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * AWS's four rotation steps with the webhook strategy, as Secrets Manager runs a rotation Lambda:
 * each step's {@link RotationEvent} is POSTed to the rotation function, which reads AWSCURRENT and
 * writes the pending version itself through the Secrets Manager endpoint (PutSecretValue with
 * ClientRequestToken the token and VersionStages [AWSPENDING]; UpdateSecretVersionStage to move
 * AWSCURRENT in finishSecret). The operator checks what the function must have done:
 *
 * <ul>
 *   <li>after createSecret, a version with the token's VersionId labelled AWSPENDING;
 *   <li>after finishSecret, AWSCURRENT on that version. The operator does not move it itself: a
 *       function that did not is a failed rotation (AWSPENDING stays, the next attempt resumes). An
 *       AWSPENDING left on the new AWSCURRENT (which AWS allows) is removed.
 * </ul>
 *
 * Every attempt POSTs all four steps, as AWS retries a rotation: the function's steps must be
 * idempotent (AWS's templates are). The token is the memory of a rotation in progress: the
 * VersionId of the AWSPENDING version once there is one, and before that a token derived from the
 * ARN and the AWSCURRENT version (so an attempt that fails before the function stored anything is
 * retried with the same token). Knows no Kubernetes type: where the function is comes as a {@link
 * Target}.
 */
public final class WebhookRotation {

  /**
   * Where the rotation function is.
   *
   * @param address the Service's cluster IP, connected to
   * @param port the Service's port
   * @param path the path the events are POSTed to
   * @param serverName the Service's DNS name ({@code <name>.<namespace>.svc}), which the serving
   *     certificate must carry
   * @param caBundle PEM certificates that verify the serving certificate
   */
  public record Target(String address, int port, String path, String serverName, String caBundle) {

    /** The function's URL, by its Service's name (for messages). */
    public String url() {
      return "https://" + serverName + ":" + port + path;
    }
  }

  /** Calls the rotation function with one step's event. */
  public interface Function {
    /**
     * Returns when the function answered 2xx.
     *
     * @throws SecretsManagerException any other answer, a timeout, a TLS or connection failure
     */
    void call(Target target, RotationEvent event);
  }

  private final SecretsManagerService secrets;
  private final Function function;

  public WebhookRotation(SecretsManagerService secrets, Function function) {
    this.secrets = secrets;
    this.function = function;
  }

  /**
   * Resumes the rotation in progress in {@code stored}, or starts one, and runs it to the end.
   *
   * @param target where the function is; asked once the rotation starts (a Service that can't be
   *     used fails the rotation, not the reconcile)
   * @param wanted the token RotateSecret answered as the new VersionId, or null
   * @throws SecretsManagerException a step failed; AWSCURRENT is where the function left it
   */
  public RotationRunner.Rotated rotate(
      StoredSecret stored,
      Supplier<Target> target,
      String wanted,
      RotationRunner.Progress progress) {
    StoredVersion current =
        stored
            .current()
            .orElseThrow(
                () ->
                    new SecretsManagerException(
                        AwsError.INVALID_REQUEST_EXCEPTION,
                        "The secret has no AWSCURRENT version to rotate yet: put one with"
                            + " PutSecretValue."));
    String token =
        RotationRunner.pendingToken(stored)
            .orElseGet(
                () ->
                    wanted != null && stored.version(wanted).isEmpty()
                        ? wanted
                        : tokenFor(stored, current));
    Target where = target.get();
    step(where, stored, token, RotationRunner.Step.createSecret);
    StoredSecret s = secrets.reread(stored);
    boolean pending = s.version(token).map(v -> v.hasStage(StagingLabels.AWSPENDING)).orElse(false);
    if (!pending) {
      throw RotationFunctionClient.failed(
          "createSecret: the function did not create the pending version: no version "
              + token
              + " labelled AWSPENDING (it puts it with PutSecretValue, ClientRequestToken "
              + token
              + " and VersionStages [AWSPENDING])");
    }
    progress.done(RotationRunner.Step.createSecret, token);
    step(where, s, token, RotationRunner.Step.setSecret);
    progress.done(RotationRunner.Step.setSecret, token);
    step(where, s, token, RotationRunner.Step.testSecret);
    progress.done(RotationRunner.Step.testSecret, token);
    step(where, s, token, RotationRunner.Step.finishSecret);
    s = secrets.reread(stored);
    StoredVersion now = s.current().orElseThrow();
    if (!now.versionId().equals(token)) {
      throw RotationFunctionClient.failed(
          "finishSecret: the function did not move AWSCURRENT to version "
              + token
              + " (it moves it with UpdateSecretVersionStage); AWSPENDING stays on it, and the"
              + " next attempt resumes with the same token");
    }
    if (now.hasStage(StagingLabels.AWSPENDING)) {
      s = secrets.updateStage(s, StagingLabels.AWSPENDING, null, token);
      now = s.current().orElseThrow();
    }
    progress.done(RotationRunner.Step.finishSecret, token);
    SecretValue value = secrets.read(s, now);
    return new RotationRunner.Rotated(s, now, value);
  }

  /**
   * AWS's test of a rotation turned on without RotateImmediately, with the function: createSecret
   * and testSecret only, then AWSPENDING is removed from the version the function made, pass or
   * fail, so AWSCURRENT stays where it was.
   *
   * @throws SecretsManagerException createSecret failed: the function made no pending version
   */
  public TestOnlyRotation.Tested test(
      StoredSecret stored, Supplier<Target> target, RotationRunner.Progress progress) {
    StoredVersion current = RotationRunner.current(stored);
    String token = tokenFor(stored, current);
    Target where = target.get();
    step(where, stored, token, RotationRunner.Step.createSecret);
    StoredSecret s = secrets.reread(stored);
    if (!s.version(token).map(v -> v.hasStage(StagingLabels.AWSPENDING)).orElse(false)) {
      throw RotationFunctionClient.failed(
          "createSecret: the function did not create the pending version " + token);
    }
    progress.done(RotationRunner.Step.createSecret, token);
    RuntimeException failure = null;
    try {
      step(where, s, token, RotationRunner.Step.testSecret);
      progress.done(RotationRunner.Step.testSecret, token);
    } catch (RuntimeException e) {
      failure = e;
    }
    s = secrets.reread(stored);
    return new TestOnlyRotation.Tested(
        secrets.updateStage(s, StagingLabels.AWSPENDING, null, token), failure);
  }

  private void step(Target where, StoredSecret s, String token, RotationRunner.Step step) {
    function.call(where, new RotationEvent(s.arn(), token, step));
  }

  /**
   * The token of a rotation that has no pending version yet: derived from the ARN and the
   * AWSCURRENT version, so that retries before the function stored anything use the same one; the
   * first such token that names no version of the secret.
   */
  static String tokenFor(StoredSecret stored, StoredVersion current) {
    for (int attempt = 0; ; attempt++) {
      String token = derive(stored.arn() + "\n" + current.versionId() + "\n" + attempt);
      if (stored.version(token).isEmpty()) {
        return token;
      }
    }
  }

  private static String derive(String seed) {
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (hash[i] & 0xff);
      low = (low << 8) | (hash[8 + i] & 0xff);
    }
    // Shaped as a UUID of version 8 (RFC 9562: custom), variant 10.
    high = (high & ~0xf000L) | 0x8000L;
    low = (low & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }
}
