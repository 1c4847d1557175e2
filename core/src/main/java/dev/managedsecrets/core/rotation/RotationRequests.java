package dev.managedsecrets.core.rotation;

import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StagingLabels;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What RotateSecret and CancelRotateSecret do to a ManagedSecret, as Secrets Manager does it: the
 * one place of these rules, which the endpoint and the kubectl plugin both apply. RotateSecret sets
 * {@code spec.rotation} from its RotationRules (or turns the rotation there on again), and starts a
 * rotation by setting the annotation {@link #ROTATE_NOW} to its token, which the rotation takes as
 * the VersionId of its AWSPENDING version; CancelRotateSecret sets {@code spec.rotation.enabled}
 * false and keeps the rules, as AWS keeps them.
 */
public final class RotationRequests {

  /** Any new value of this annotation rotates the ManagedSecret once; a token is its VersionId. */
  public static final String ROTATE_NOW = "managedsecrets.dev/rotate-now";

  /** AWS's answer to RotateSecret while a rotation is unfinished. */
  public static final String IN_PROGRESS =
      "A previous rotation isn't complete. That rotation will be reattempted.";

  /** RotateSecret without RotationRules on a secret that has no rotation. */
  public static final String NO_ROTATION =
      "No Lambda rotation function ARN is associated with this secret. Rotation here needs no"
          + " Lambda: include RotationRules (AutomaticallyAfterDays or ScheduleExpression) to set"
          + " up spec.rotation.";

  /** CancelRotateSecret of a secret that has no rotation, in AWS's words. */
  public static final String NOTHING_TO_CANCEL =
      "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN"
          + " configured and you didn't include such an ARN as a parameter in this call. This"
          + " secret has no spec.rotation to cancel.";

  /** RotateSecret's RotationLambdaARN: there are no Lambdas here. */
  public static final String NO_LAMBDA =
      "RotationLambdaARN is not supported: the operator rotates without Lambda functions, with"
          + " the strategy in spec.rotation.strategy. Leave RotationLambdaARN out.";

  /** RotateSecret's RotationRules. */
  public record Rules(Integer automaticallyAfterDays, String scheduleExpression, String duration) {}

  private RotationRequests() {}

  /**
   * RotateSecret on {@code spec}: its {@code rotation} set from {@code rules} (the schedule
   * replaced, the strategy kept), or, without rules, the rotation there turned on again. Checked as
   * the reconciler checks it, before anything is written.
   *
   * @param rotateImmediately RotateImmediately; null is AWS's default (true)
   * @throws SecretsManagerException AWS's exception and message: a bad schedule, no rotation to
   *     turn on, or a rotation this ManagedSecret can't run
   */
  public static void rotate(ManagedSecretSpec spec, Rules rules, Boolean rotateImmediately) {
    if (rules == null) {
      if (spec.rotation == null) {
        throw new SecretsManagerException(AwsError.INVALID_REQUEST_EXCEPTION, NO_ROTATION);
      }
    } else {
      RotationSchedule.parse(
          rules.automaticallyAfterDays(), rules.scheduleExpression(), rules.duration());
      if (spec.rotation == null) {
        spec.rotation = new RotationSpec();
      }
      spec.rotation.automaticallyAfterDays = rules.automaticallyAfterDays();
      spec.rotation.scheduleExpression = rules.scheduleExpression();
      spec.rotation.duration = rules.duration();
      if (Boolean.FALSE.equals(rotateImmediately)) {
        spec.rotation.rotateImmediately = false;
      } else if (Boolean.FALSE.equals(spec.rotation.rotateImmediately)) {
        spec.rotation.rotateImmediately = null;
      }
    }
    if (Boolean.FALSE.equals(spec.rotation.enabled)) {
      spec.rotation.enabled = null;
    }
    RotationRules.of(spec).requireRotatable(spec);
  }

  /**
   * CancelRotateSecret on {@code spec}: automatic rotation off, its rules kept.
   *
   * @throws SecretsManagerException InvalidRequestException when there is no rotation to cancel
   */
  public static void cancel(ManagedSecretSpec spec) {
    if (spec.rotation == null) {
      throw new SecretsManagerException(AwsError.INVALID_REQUEST_EXCEPTION, NOTHING_TO_CANCEL);
    }
    spec.rotation.enabled = false;
  }

  /** Whether RotateSecret starts a rotation now (RotateImmediately, true by default). */
  public static boolean rotatesNow(Boolean rotateImmediately) {
    return !Boolean.FALSE.equals(rotateImmediately);
  }

  /** The token of a new rotation: the ClientRequestToken, or a new UUID. */
  public static String token(String clientRequestToken) {
    return clientRequestToken != null ? clientRequestToken : UUID.randomUUID().toString();
  }

  /** Whether {@code value} can be a rotation's token, so its VersionId (AWS's 32-64 characters). */
  public static boolean isToken(String value) {
    return value != null && value.length() >= 32 && value.length() <= 64;
  }

  /**
   * Whether RotateSecret with {@code token} was asked already: its version is there, or the
   * annotation asks for it.
   */
  public static boolean askedBefore(
      Map<String, List<String>> versionIdsToStages, String rotateNow, String token) {
    return token != null
        && (token.equals(rotateNow)
            || versionIdsToStages != null && versionIdsToStages.containsKey(token));
  }

  /**
   * The version an unfinished rotation made (labelled AWSPENDING and not AWSCURRENT), which
   * CancelRotateSecret answers with, as AWS does.
   */
  public static Optional<String> unfinished(Map<String, List<String>> versionIdsToStages) {
    if (versionIdsToStages == null) {
      return Optional.empty();
    }
    return versionIdsToStages.entrySet().stream()
        .filter(
            e ->
                e.getValue().contains(StagingLabels.AWSPENDING)
                    && !e.getValue().contains(StagingLabels.AWSCURRENT))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /**
   * Refuses a new rotation while one is unfinished: a version labelled AWSPENDING and not
   * AWSCURRENT, or a rotation asked for with the annotation that the reconciler has not taken up.
   *
   * @throws SecretsManagerException InvalidRequestException with AWS's message
   */
  public static void requireNoneUnfinished(
      Map<String, List<String>> versionIdsToStages, String rotateNow, String rotateNowHandled) {
    boolean pending = unfinished(versionIdsToStages).isPresent();
    boolean asked = rotateNow != null && !Objects.equals(rotateNow, rotateNowHandled);
    if (pending || asked) {
      throw new SecretsManagerException(AwsError.INVALID_REQUEST_EXCEPTION, IN_PROGRESS);
    }
  }
}
