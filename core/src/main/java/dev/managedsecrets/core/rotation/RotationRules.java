package dev.managedsecrets.core.rotation;

import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.ValueOwner;

/**
 * A ManagedSecret's rotation settings, checked: the schedule ({@link RotationSchedule}), whether it
 * is on, whether turning it on rotates at once, and the strategy, which must be one this release
 * runs on a value whose rotated keys the operator owns.
 *
 * @param schedule the schedule; null when the spec has no rotation (only the annotation rotates)
 */
public record RotationRules(
    boolean enabled, RotationSchedule schedule, boolean rotateImmediately, String strategy) {

  /** New values for the generate keys. */
  public static final String GENERATE = "generate";

  /**
   * AWS's four steps POSTed to a rotation function in the namespace, which writes the value through
   * the Secrets Manager endpoint.
   */
  public static final String WEBHOOK = "webhook";

  /** A PostgreSQL role changes its own password (AWS's single-user rotation template). */
  public static final String POSTGRES_SINGLE_USER = "postgres-single-user";

  /**
   * An administrator sets the password of the user or its clone in turn (AWS's alternating-users
   * rotation template).
   */
  public static final String POSTGRES_ALTERNATING_USERS = "postgres-alternating-users";

  /** The key a database strategy rotates. */
  public static final String PASSWORD = "password";

  /** Rotation on request only (the annotation), with the default strategy. */
  public static final RotationRules ON_REQUEST = new RotationRules(false, null, false, GENERATE);

  /**
   * The rules of {@code spec.rotation}, or {@link #ON_REQUEST} when it has none.
   *
   * @throws SecretsManagerException the schedule's rule broken (AWS's exception and message)
   */
  public static RotationRules of(ManagedSecretSpec spec) {
    RotationSpec r = spec.rotation;
    if (r == null) {
      return ON_REQUEST;
    }
    RotationSchedule schedule =
        RotationSchedule.parse(r.automaticallyAfterDays, r.scheduleExpression, r.duration);
    return new RotationRules(
        !Boolean.FALSE.equals(r.enabled),
        schedule,
        !Boolean.FALSE.equals(r.rotateImmediately),
        r.strategy == null ? GENERATE : r.strategy);
  }

  /**
   * Refuses a rotation this release can't run, or one that would change a key the spec sets (the
   * next reconcile would put the old value back and lock the application out).
   *
   * @throws SecretsManagerException InvalidParameterException saying why and what to change
   */
  public void requireRotatable(ManagedSecretSpec spec) {
    switch (strategy) {
      case GENERATE -> requireGenerateKeys(spec);
      case POSTGRES_SINGLE_USER, POSTGRES_ALTERNATING_USERS -> requireOwnedPassword(spec);
      case WEBHOOK -> requireWebhookRotatable(spec);
      default ->
          throw SecretsManagerException.invalidParameter(
              "Rotation strategy "
                  + strategy
                  + " is unknown: set spec.rotation.strategy to generate, postgres-single-user,"
                  + " postgres-alternating-users or webhook, or remove spec.rotation.");
    }
    if (spec.versionStages != null && spec.versionStages.containsKey(StagingLabels.AWSCURRENT)) {
      throw SecretsManagerException.invalidParameter(
          "spec.versionStages pins AWSCURRENT, so a rotation could not move it: remove the pin, or"
              + " remove spec.rotation.");
    }
  }

  /**
   * The webhook strategy's function writes the whole value into the store, so the value must live
   * there ({@code spec.valueSource: Store}): a value the spec sets would be put back by the next
   * reconcile.
   */
  private static void requireWebhookRotatable(ManagedSecretSpec spec) {
    WebhookSettings.of(spec);
    if (!ValueOwner.store(spec)) {
      throw SecretsManagerException.invalidParameter(
          "Rotation with the webhook strategy has its function write the whole value through the"
              + " Secrets Manager endpoint, so the value must live in the store: set"
              + " spec.valueSource to Store (and put the first value with PutSecretValue), or use"
              + " the generate strategy. A value the spec sets would be put back by the next"
              + " reconcile.");
    }
  }

  private static void requireGenerateKeys(ManagedSecretSpec spec) {
    if (ValueOwner.store(spec) || spec.generate == null || spec.generate.isEmpty()) {
      throw SecretsManagerException.invalidParameter(
          "Rotation with the generate strategy makes new values for the spec's generate keys, and"
              + " this ManagedSecret has none: a rotated key that the spec sets (or that lives"
              + " in the store) would be put back or overwritten. Add a generate key, or remove"
              + " spec.rotation and the annotation managedsecrets.dev/rotate-now.");
    }
  }

  /**
   * The postgres strategies rotate the key {@code password}: a value the store owns, or a {@code
   * generate} key of the spec (a password the spec sets would be put back by the next reconcile).
   */
  private void requireOwnedPassword(ManagedSecretSpec spec) {
    if (ValueOwner.store(spec)) {
      return;
    }
    if (spec.generate == null || !spec.generate.containsKey(PASSWORD)) {
      throw SecretsManagerException.invalidParameter(
          "Rotation strategy "
              + strategy
              + " changes the login's password, so the spec must not set it: make it a generate"
              + " key (spec.generate.password) rather than a key of data, secretString,"
              + " sealedData or fromSecret, or keep the value in the store (valueSource: Store).");
    }
  }
}
