package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.cli.aws.ParamFiles;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** UpdateSecret: description, KMS key and (optionally) a new value. */
@Command(
    name = "update-secret",
    sortOptions = false,
    description =
        "Changes the description, the KMS key or the value; prints ARN, Name and, with a new"
            + " value, its VersionId.")
public final class UpdateSecret extends EndpointCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(names = "--description", paramLabel = "<text>", description = "New description.")
  String description;

  @Option(names = "--kms-key-id", paramLabel = "<key>", description = "New KMS key.")
  String kmsKeyId;

  @Mixin ValueOptions value;

  @Option(
      names = "--client-request-token",
      paramLabel = "<token>",
      description = "Idempotency token of the new value; becomes its VersionId.")
  String clientRequestToken;

  @Mixin SealingKeyOptions sealing;

  @Mixin WaitOptions wait;

  @Override
  protected ObjectNode request() {
    return new EndpointRequest()
        .put("SecretId", secretId)
        .put("Description", description)
        .put("KmsKeyId", kmsKeyId)
        .value(value)
        .token(clientRequestToken)
        .json();
  }

  @Override
  public String operation() {
    return "UpdateSecret";
  }

  @Override
  protected JsonNode execute() {
    String newDescription = ParamFiles.text("--description", description);
    ManagedSecretSpec newValue = new ManagedSecretSpec();
    value.applyTo(newValue);
    boolean valueGiven = value.given();
    String token = valueGiven ? clientRequestToken : null;
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    Checks.validate(
        ms,
        spec -> {
          if (newDescription != null) {
            spec.description = newDescription;
          }
          if (kmsKeyId != null) {
            spec.kmsKeyId = kmsKeyId;
          }
          if (valueGiven) {
            PutSecretValue.applyValue(spec, newValue, token);
          }
        });
    if (newDescription == null && kmsKeyId == null && !valueGiven) {
      return Responses.arnAndName(ms);
    }
    if (valueGiven) {
      ValueSealing.seal(
          newValue,
          sealing.key(root, through.endpoint.operatorNamespace),
          ms.getMetadata().getNamespace(),
          ms.getMetadata().getName());
    }
    ManagedSecret updated =
        secrets.patchSpec(
            ms,
            latest -> {
              ObjectNode patch = Json.object();
              if (newDescription != null) {
                patch.put("description", newDescription);
              }
              if (kmsKeyId != null) {
                patch.put("kmsKeyId", kmsKeyId);
              }
              if (valueGiven) {
                ValueOptions.patchValue(patch, newValue);
                patch.put("clientRequestToken", token);
                if (latest.getSpec() != null
                    && latest.getSpec().versionStages != null
                    && latest.getSpec().versionStages.containsKey("AWSCURRENT")) {
                  patch.putObject("versionStages").putNull("AWSCURRENT");
                }
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
    ObjectNode out = Responses.arnAndName(result);
    if (valueGiven) {
      String versionId =
          wait.waits() && result.getStatus() != null ? result.getStatus().versionId : token;
      if (versionId != null) {
        out.put("VersionId", versionId);
      }
    }
    return out;
  }
}
