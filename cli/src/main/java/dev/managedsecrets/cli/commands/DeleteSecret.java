package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.output.Json;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * DeleteSecret: sets recoveryWindowInDays or forceDeleteWithoutRecovery, then deletes the
 * ManagedSecret; its finalizer removes the projected Secret and schedules the stored secret for
 * deletion (or purges it).
 */
@Command(
    name = "delete-secret",
    sortOptions = false,
    description =
        "Deletes the ManagedSecret: the stored secret is kept for the recovery window (default"
            + " 30 days, or the spec's), or purged with --force-delete-without-recovery.")
public final class DeleteSecret extends EndpointCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--recovery-window-in-days",
      paramLabel = "<days>",
      description = "7-30 days before the stored secret is purged.")
  Integer recoveryWindowInDays;

  @Option(
      names = "--force-delete-without-recovery",
      negatable = true,
      description = "Purge the stored secret and its versions at once.")
  Boolean forceDeleteWithoutRecovery;

  @Mixin WaitOptions wait;

  /** The endpoint answers a conflict of the two options itself, as AWS's service does. */
  @Override
  protected ObjectNode request() {
    return new EndpointRequest()
        .put("SecretId", secretId)
        .put("RecoveryWindowInDays", recoveryWindowInDays)
        .put("ForceDeleteWithoutRecovery", forceDeleteWithoutRecovery)
        .json();
  }

  @Override
  public String operation() {
    return "DeleteSecret";
  }

  @Override
  protected JsonNode execute() {
    boolean force = Boolean.TRUE.equals(forceDeleteWithoutRecovery);
    if (force && recoveryWindowInDays != null) {
      throw ServiceException.invalidParameter(
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (recoveryWindowInDays != null && (recoveryWindowInDays < 7 || recoveryWindowInDays > 30)) {
      throw ServiceException.invalidParameter(
          "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    if (force || recoveryWindowInDays != null) {
      ms =
          secrets.patchSpec(
              ms,
              latest -> {
                ObjectNode patch = Json.object();
                if (force) {
                  patch.put("forceDeleteWithoutRecovery", true);
                  patch.putNull("recoveryWindowInDays");
                } else {
                  patch.put("recoveryWindowInDays", recoveryWindowInDays);
                  patch.putNull("forceDeleteWithoutRecovery");
                }
                return patch;
              });
    }
    boolean purge = Boolean.TRUE.equals(ms.getSpec().forceDeleteWithoutRecovery);
    int days = ms.getSpec().recoveryWindowInDays != null ? ms.getSpec().recoveryWindowInDays : 30;
    Instant deletionDate = Instant.now().plus(Duration.ofDays(purge ? 0 : days));
    secrets.resource(ms.getMetadata().getName()).delete();
    if (wait.waits()) {
      secrets.awaitGone(ms.getMetadata().getName(), wait.timeout());
    }
    ObjectNode out = Responses.arnAndName(ms);
    out.put("DeletionDate", Responses.date(deletionDate));
    return out;
  }
}
