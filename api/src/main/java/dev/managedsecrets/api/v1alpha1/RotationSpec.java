package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Automatic rotation, as RotateSecret's RotationRules and rotation function configure it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.automaticallyAfterDays) && has(self.scheduleExpression))",
    message = "You cannot specify both rotation frequency and schedule expression together.")
@ValidationRule(
    value = "has(self.automaticallyAfterDays) || has(self.scheduleExpression)",
    message = "Set automaticallyAfterDays or scheduleExpression: the rotation schedule.")
@ValidationRule(
    value = "!has(self.strategy) || self.strategy != 'webhook' || has(self.webhook)",
    message =
        "The webhook strategy needs webhook: the Service of the rotation function and its CA"
            + " bundle.")
@ValidationRule(
    value = "!has(self.webhook) || (has(self.strategy) && self.strategy == 'webhook')",
    message = "webhook is set for the webhook strategy only: set strategy to webhook.")
public class RotationSpec {

  /** The strategies of the API contract. */
  public static final String STRATEGIES =
      "^(generate|postgres-single-user|postgres-alternating-users|webhook)$";

  @JsonPropertyDescription("Rotate on the schedule (default true); false keeps the settings only.")
  public Boolean enabled;

  @JsonPropertyDescription(
      "Days between rotations, 1-1000, counted from the last rotation; a value change made"
          + " through the spec counts as a rotation.")
  @Min(1)
  @Max(1000)
  public Integer automaticallyAfterDays;

  @JsonPropertyDescription(
      "A rate() or cron() expression in UTC, as Secrets Manager takes them: rate(N hours|days)"
          + " at least every 4 hours and at most 999 days; cron(0 Hours Day-of-month Month"
          + " Day-of-week *) with one of Day-of-month and Day-of-week ?. At most 256 characters.")
  @Size(min = 1, max = 256)
  @Pattern("^[0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+$")
  public String scheduleExpression;

  @JsonPropertyDescription(
      "The rotation window in hours, e.g. 2h: it may not run into the next window or the next UTC"
          + " day. Default: 1h for schedules in hours, to the end of the UTC day for schedules in"
          + " days.")
  @Size(min = 2, max = 3)
  @Pattern("^[0-9]{1,2}h$")
  public String duration;

  @JsonPropertyDescription(
      "Rotate once as soon as rotation is turned on (default true), then on the schedule.")
  public Boolean rotateImmediately;

  @JsonPropertyDescription(
      "How the new value is made: generate (new values for the generate keys; default),"
          + " postgres-single-user (the role changes its own password), postgres-alternating-users"
          + " (an administrator sets the password of <username> or <username>_clone in turn), or"
          + " webhook (AWS's four steps POSTed to a rotation function in the namespace, which"
          + " writes the value through the Secrets Manager endpoint; needs valueSource Store).")
  @Pattern(STRATEGIES)
  @Size(max = 32)
  public String strategy;

  @JsonPropertyDescription(
      "The rotation function of the webhook strategy: a Service in this namespace, over HTTPS.")
  public WebhookSpec webhook;

  @JsonPropertyDescription(
      "postgres-alternating-users: the name of a ManagedSecret in this namespace holding the"
          + " administrator's login (engine, host, username, password) that creates and updates"
          + " the users. Default: the ManagedSecret whose ARN the value's masterarn key gives.")
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String masterSecret;

  @JsonPropertyDescription(
      "postgres strategies for a value that lives in the store (valueSource Store, so no"
          + " spec.database): the CA certificates (PEM) that verify the database server's"
          + " certificate, a key of a Secret in this namespace. With spec.database, set"
          + " spec.database.caCertificate instead.")
  public SecretKeyReference caCertificate;
}
