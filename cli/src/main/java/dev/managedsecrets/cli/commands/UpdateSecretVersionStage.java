package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.output.Json;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * UpdateSecretVersionStage: moves or removes one staging label through spec.versionStages, with
 * AWS's rule that a label attached elsewhere is only moved when the version it leaves is named.
 */
@Command(
    name = "update-secret-version-stage",
    sortOptions = false,
    description =
        "Moves a staging label to a version (AWSCURRENT: a rollback) or removes it; prints ARN"
            + " and Name.")
public final class UpdateSecretVersionStage extends EndpointCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--version-stage",
      required = true,
      paramLabel = "<label>",
      description = "The staging label to move or remove.")
  String versionStage;

  @Option(
      names = "--move-to-version-id",
      paramLabel = "<id>",
      description = "The version that gets the label.")
  String moveToVersionId;

  @Option(
      names = "--remove-from-version-id",
      paramLabel = "<id>",
      description = "The version the label leaves; required when the label is attached elsewhere.")
  String removeFromVersionId;

  @Mixin WaitOptions wait;

  @Override
  protected ObjectNode request() {
    return new EndpointRequest()
        .put("SecretId", secretId)
        .put("VersionStage", versionStage)
        .put("MoveToVersionId", moveToVersionId)
        .put("RemoveFromVersionId", removeFromVersionId)
        .json();
  }

  @Override
  public String operation() {
    return "UpdateSecretVersionStage";
  }

  @Override
  protected JsonNode execute() {
    if (versionStage.isEmpty() || versionStage.length() > 256) {
      throw new ServiceException(
          "ValidationException",
          "1 validation error detected: Value at 'versionStage' failed to satisfy constraint:"
              + " Member must have length between 1 and 256");
    }
    if (versionStage.equals("AWSPREVIOUS") || versionStage.equals("AWSPENDING")) {
      throw ServiceException.invalidParameter(
          versionStage
              + " is moved by the operator, not by versionStages: move AWSCURRENT, and"
              + " AWSPREVIOUS follows.");
    }
    if (moveToVersionId == null && removeFromVersionId == null) {
      throw ServiceException.invalidParameter(
          "You must specify MoveToVersionId, RemoveFromVersionId, or both.");
    }
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    String holder = holder(ms, versionStage);
    if (moveToVersionId != null) {
      if (holder != null && !holder.equals(moveToVersionId) && removeFromVersionId == null) {
        throw ServiceException.invalidParameter(
            "The parameter RemoveFromVersionId can't be empty. Staging label "
                + versionStage
                + " is currently attached to version "
                + holder
                + ", so you must explicitly reference that version in RemoveFromVersionId.");
      }
    } else if (versionStage.equals("AWSCURRENT")) {
      throw ServiceException.invalidParameter(
          "AWSCURRENT can't be removed from a version, only moved: name the version that gets it"
              + " in MoveToVersionId.");
    }
    if (removeFromVersionId != null
        && !removeFromVersionId.equals(holder)
        && !removeFromVersionId.equals(moveToVersionId)) {
      throw ServiceException.invalidParameter(
          "The parameter RemoveFromVersionId doesn't match: staging label "
              + versionStage
              + (holder == null
                  ? " is not attached to any version."
                  : " is currently attached to version " + holder + "."));
    }
    if (moveToVersionId != null && moveToVersionId.equals(holder)) {
      return Responses.arnAndName(ms); // already there
    }
    Checks.validate(
        ms,
        spec -> {
          if (spec.versionStages == null) {
            spec.versionStages = new java.util.HashMap<>();
          }
          if (moveToVersionId != null) {
            spec.versionStages.put(versionStage, moveToVersionId);
          } else {
            spec.versionStages.remove(versionStage);
          }
        });
    ManagedSecret updated =
        secrets.patchSpec(
            ms,
            latest -> {
              ObjectNode patch = Json.object();
              ObjectNode stages = patch.putObject("versionStages");
              if (moveToVersionId != null) {
                stages.put(versionStage, moveToVersionId);
              } else {
                stages.putNull(versionStage);
              }
              return patch;
            });
    ManagedSecret result = updated;
    if (wait.waits()) {
      result =
          secrets.awaitReady(
              updated.getMetadata().getName(),
              updated.getMetadata().getGeneration(),
              wait.timeout());
    }
    return Responses.arnAndName(result);
  }

  /** The version that carries {@code label} now, per status.versionIdsToStages. */
  private static String holder(ManagedSecret ms, String label) {
    if (ms.getStatus() == null || ms.getStatus().versionIdsToStages == null) {
      return null;
    }
    for (Map.Entry<String, List<String>> e : ms.getStatus().versionIdsToStages.entrySet()) {
      if (e.getValue() != null && e.getValue().contains(label)) {
        return e.getKey();
      }
    }
    return null;
  }
}
