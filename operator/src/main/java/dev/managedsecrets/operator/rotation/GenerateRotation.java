package dev.managedsecrets.operator.rotation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * AWS's four rotation steps with the generate strategy, each idempotent, so a rotation stopped
 * between any two of them resumes with the same token: the store's record is what remembers it (a
 * version carrying AWSPENDING but not AWSCURRENT is a rotation in progress, its VersionId the
 * token).
 *
 * <ol>
 *   <li>createSecret: a new version labelled AWSPENDING, VersionId the token, holding AWSCURRENT's
 *       value with new values for the generate keys only (skipped when it is there already);
 *   <li>setSecret: nothing to do (no system outside holds a generated value);
 *   <li>testSecret: the pending version opens and holds every generate key as text;
 *   <li>finishSecret: AWSCURRENT moves to it, AWSPREVIOUS follows, AWSPENDING is removed.
 * </ol>
 *
 * A failed step leaves AWSCURRENT where it was. Knows no Kubernetes type.
 */
public final class GenerateRotation {

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
  private final ValueAssembler values;

  public GenerateRotation(SecretsManagerService secrets, ValueAssembler values) {
    this.secrets = secrets;
    this.values = values;
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
   * @param generate the generate keys of the spec: the keys that get new values
   * @param keyArn the KMS key of new versions
   * @throws SecretsManagerException a step failed; AWSCURRENT is where it was
   */
  public Rotated rotate(
      StoredSecret stored, Map<String, GenerateSpec> generate, String keyArn, Progress progress) {
    return rotate(stored, generate, keyArn, null, progress);
  }

  /**
   * {@link #rotate(StoredSecret, Map, String, Progress)}, a new rotation taking {@code wanted} as
   * its token (the VersionId RotateSecret answered) unless a version has that id already.
   */
  public Rotated rotate(
      StoredSecret stored,
      Map<String, GenerateSpec> generate,
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
      s = createPending(s, current, generate, keyArn, token);
    }
    progress.done(Step.createSecret, token);
    progress.done(Step.setSecret, token);
    StoredVersion pending = s.version(token).orElseThrow();
    SecretValue value = secrets.read(s, pending);
    try {
      test(value, generate);
      progress.done(Step.testSecret, token);
      s = secrets.finishRotation(s, token);
      progress.done(Step.finishSecret, token);
    } catch (RuntimeException | Error e) {
      value.clear();
      throw e;
    }
    return new Rotated(s, s.current().orElseThrow(), value);
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
   * createSecret: a version labelled AWSPENDING, VersionId {@code token}, holding {@code current}'s
   * value with new values for the generate keys.
   */
  StoredSecret createPending(
      StoredSecret s,
      StoredVersion current,
      Map<String, GenerateSpec> generate,
      String keyArn,
      String token) {
    SecretValue now = secrets.read(s, current);
    SecretValue next;
    try {
      next = values.rotate(now, generate);
    } finally {
      now.clear();
    }
    try {
      return secrets.putPending(s, current, next, keyArn, token).secret();
    } finally {
      next.clear();
    }
  }

  /** testSecret: the pending value is a JSON object with a text value for every generate key. */
  static void test(SecretValue pending, Map<String, GenerateSpec> generate) {
    ObjectNode object = ValueAssembler.parseObject(pending);
    boolean complete =
        object != null && generate.keySet().stream().allMatch(k -> object.path(k).isTextual());
    if (!complete) {
      throw new SecretsManagerException(
          AwsError.INVALID_REQUEST_EXCEPTION,
          "testSecret: the AWSPENDING version does not hold a value for every generate key.");
    }
  }
}
