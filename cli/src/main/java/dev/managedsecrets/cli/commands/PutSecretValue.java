package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.aws.Shorthand;
import dev.managedsecrets.cli.output.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * PutSecretValue: sets the spec's value, sealed (replacing data, sealedData, generate, database or
 * fromSecret), and waits until the operator made it a version; AWSCURRENT moves to it, as in AWS.
 */
@Command(
    name = "put-secret-value",
    sortOptions = false,
    description =
        "Sets a new value; prints ARN, Name, VersionId and VersionStages once the version is"
            + " Ready.")
public final class PutSecretValue extends EndpointCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Mixin ValueOptions value;

  @Option(
      names = "--client-request-token",
      paramLabel = "<token>",
      description = "Idempotency token, 32-64 characters; becomes the VersionId.")
  String clientRequestToken;

  @Option(
      names = "--version-stages",
      arity = "1..*",
      paramLabel = "<label>",
      description = "Labels of the new version; must include AWSCURRENT (the default).")
  List<String> versionStages;

  @Mixin SealingKeyOptions sealing;

  @Mixin WaitOptions wait;

  @Override
  public String operation() {
    return "PutSecretValue";
  }

  /** Through the endpoint the labels are AWS's: without AWSCURRENT, it stays where it is. */
  @Override
  protected ObjectNode request() {
    return new EndpointRequest()
        .put("SecretId", secretId)
        .value(value)
        .token(clientRequestToken)
        .strings("VersionStages", "--version-stages", versionStages)
        .json();
  }

  @Override
  protected JsonNode execute() {
    if (!value.given()) {
      throw ServiceException.invalidRequest(
          "You must provide either SecretString or SecretBinary.");
    }
    ManagedSecretSpec newValue = new ManagedSecretSpec();
    value.applyTo(newValue);
    List<String> stages =
        versionStages == null
            ? List.of("AWSCURRENT")
            : Shorthand.strings("--version-stages", versionStages);
    if (!stages.contains("AWSCURRENT")) {
      throw ServiceException.invalidRequest(
          "The operator always makes a new value AWSCURRENT: include AWSCURRENT in"
              + " --version-stages, or move labels afterwards with update-secret-version-stage.");
    }
    List<String> custom = new ArrayList<>(stages);
    custom.remove("AWSCURRENT");
    if (custom.contains("AWSPREVIOUS") || custom.contains("AWSPENDING")) {
      throw ServiceException.invalidParameter(
          "AWSPREVIOUS and AWSPENDING are moved by the operator, not by --version-stages.");
    }
    String token =
        clientRequestToken != null || custom.isEmpty()
            ? clientRequestToken
            : UUID.randomUUID().toString();
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    Checks.validate(ms, spec -> applyValue(spec, newValue, token));
    ValueSealing.seal(
        newValue,
        sealing.key(root, through.endpoint.operatorNamespace),
        ms.getMetadata().getNamespace(),
        ms.getMetadata().getName());
    ManagedSecret updated =
        secrets.patchSpec(
            ms,
            latest -> {
              ObjectNode patch = Json.object();
              ValueOptions.patchValue(patch, newValue);
              patch.put("clientRequestToken", token);
              boolean pinned =
                  latest.getSpec() != null
                      && latest.getSpec().versionStages != null
                      && latest.getSpec().versionStages.containsKey("AWSCURRENT");
              if (pinned || !custom.isEmpty()) {
                ObjectNode labels = patch.putObject("versionStages");
                if (pinned) {
                  labels.putNull("AWSCURRENT"); // a new value becomes AWSCURRENT: unpin
                }
                custom.forEach(label -> labels.put(label, token));
              }
              return patch;
            });
    if (!wait.waits()) {
      ObjectNode out = Responses.arnAndName(updated);
      if (token != null) {
        out.put("VersionId", token);
      }
      return out;
    }
    ManagedSecret ready =
        secrets.awaitReady(
            updated.getMetadata().getName(), updated.getMetadata().getGeneration(), wait.timeout());
    return versionResponse(ready);
  }

  /** The spec with the new value in plain text: what the operator's rules are checked on. */
  static void applyValue(ManagedSecretSpec spec, ManagedSecretSpec value, String token) {
    spec.secretString = value.secretString;
    spec.secretBinary = value.secretBinary;
    spec.sealedSecretString = null;
    spec.sealedSecretBinary = null;
    spec.sealedData = null;
    spec.sealedScope = null;
    spec.fromSecret = null;
    spec.data = null;
    spec.generate = null;
    spec.database = null;
    spec.clientRequestToken = token;
  }

  static ObjectNode versionResponse(ManagedSecret ms) {
    ObjectNode out = Responses.arnAndName(ms);
    String versionId = ms.getStatus() == null ? null : ms.getStatus().versionId;
    if (versionId != null) {
      out.put("VersionId", versionId);
      ArrayNode labels = out.putArray("VersionStages");
      Responses.stagesOf(ms, versionId).forEach(labels::add);
    }
    return out;
  }
}
