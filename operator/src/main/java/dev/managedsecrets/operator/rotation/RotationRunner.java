package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import java.util.Optional;
import java.util.UUID;

/**
 * AWS's four rotation steps, each idempotent, so a rotation stopped between any two of them resumes
 * with the same token: the store's record is what remembers it (a version carrying AWSPENDING but
 * not AWSCURRENT is a rotation in progress, its VersionId the token). The {@link RotationStrategy}
 * makes the pending value and applies and tests it; this class does the rest.
 *
 * <ol>
 *   <li>createSecret: a new version labelled AWSPENDING, VersionId the token, holding the value the
 *       strategy made from AWSCURRENT's (skipped when it is there already);
 *   <li>setSecret: the strategy applies it outside (run again on resume);
 *   <li>testSecret: the strategy checks it;
 *   <li>finishSecret: AWSCURRENT moves to it, AWSPREVIOUS follows, AWSPENDING is removed.
 * </ol>
 *
 * A failed step leaves AWSCURRENT where it was. Knows no Kubernetes type.
 */
public final class RotationRunner {

  /** The steps, by the names a rotation function gets in its event's Step. */
  public enum Step {
    createSecret,
    setSecret,
    testSecret,
    finishSecret
  }

  /** Told after each step succeeded; may throw to stop the rotation there (a test's crash). */
  public interface Progress {
    void done(Step step, String token);
  }

  /** A finished rotation: the record, its new AWSCURRENT and that version's plaintext. */
  public record Rotated(StoredSecret secret, StoredVersion current, SecretValue value) {}

  private final SecretsManagerService secrets;

  public RotationRunner(SecretsManagerService secrets) {
    this.secrets = secrets;
  }

  /** The token of the rotation in progress in {@code stored}, if one is. */
  public static Optional<String> pendingToken(StoredSecret stored) {
    return stored.versions().stream()
        .filter(v -> v.hasStage(StagingLabels.AWSPENDING) && !v.hasStage(StagingLabels.AWSCURRENT))
        .map(StoredVersion::versionId)
        .findFirst();
  }

  /**
   * Resumes the rotation in progress in {@code stored}, or starts one, and runs it to the end.
   *
   * @param keyArn the KMS key of new versions
   * @param wanted the token a new rotation takes (the VersionId RotateSecret answered) unless a
   *     version has that id already; null for a new one
   * @throws SecretsManagerException a step failed; AWSCURRENT is where it was
   */
  public Rotated rotate(
      StoredSecret stored,
      RotationStrategy strategy,
      String keyArn,
      String wanted,
      Progress progress) {
    StoredVersion current = current(stored);
    StoredSecret s = stored;
    String token = pendingToken(stored).orElse(null);
    if (token == null) {
      token =
          wanted != null && stored.version(wanted).isEmpty()
              ? wanted
              : UUID.randomUUID().toString();
      s = createPending(s, current, strategy, keyArn, token);
    }
    progress.done(Step.createSecret, token);
    StagedValues values = new StagedValues(secrets, s, token);
    boolean finished = false;
    try {
      strategy.setSecret(values);
      progress.done(Step.setSecret, token);
      strategy.testSecret(values);
      progress.done(Step.testSecret, token);
      SecretValue value = values.pending();
      s = secrets.finishRotation(s, token);
      finished = true;
      progress.done(Step.finishSecret, token);
      return new Rotated(s, s.current().orElseThrow(), value);
    } finally {
      values.clear(finished);
    }
  }

  /** The version a rotation starts from; refused when there is none yet. */
  static StoredVersion current(StoredSecret stored) {
    return stored
        .current()
        .orElseThrow(
            () ->
                new SecretsManagerException(
                    AwsError.INVALID_REQUEST_EXCEPTION,
                    "The secret has no AWSCURRENT version to rotate yet."));
  }

  /**
   * createSecret: a version labelled AWSPENDING, VersionId {@code token}, holding the value the
   * strategy makes from {@code current}'s.
   */
  StoredSecret createPending(
      StoredSecret s,
      StoredVersion current,
      RotationStrategy strategy,
      String keyArn,
      String token) {
    SecretValue now = secrets.read(s, current);
    SecretValue next;
    try {
      next = strategy.createSecret(now);
    } finally {
      now.clear();
    }
    try {
      return secrets.putPending(s, current, next, keyArn, token).secret();
    } finally {
      next.clear();
    }
  }
}
