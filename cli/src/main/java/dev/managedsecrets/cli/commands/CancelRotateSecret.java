package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.rotation.RotationRequests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * CancelRotateSecret: spec.rotation.enabled false, its rules kept, as AWS keeps them; prints ARN,
 * Name and, when a rotation is unfinished, the VersionId of the version it made.
 */
@Command(
    name = "cancel-rotate-secret",
    description =
        "Turns automatic rotation off (spec.rotation.enabled false); prints ARN, Name and the"
            + " VersionId of an unfinished rotation's version.")
public final class CancelRotateSecret extends SecretCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Override
  public String operation() {
    return "CancelRotateSecret";
  }

  @Override
  protected JsonNode execute() {
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    RotateSecret.changed(ms, RotationRequests::cancel);
    if (!Boolean.FALSE.equals(ms.getSpec().rotation.enabled)) {
      secrets.patchSpec(
          ms,
          latest -> {
            ObjectNode patch = Json.object();
            patch.putObject("rotation").put("enabled", false);
            return patch;
          });
    }
    ObjectNode out = Responses.arnAndName(ms);
    RotationRequests.unfinished(ms.getStatus() == null ? null : ms.getStatus().versionIdsToStages)
        .ifPresent(v -> out.put("VersionId", v));
    return out;
  }
}
