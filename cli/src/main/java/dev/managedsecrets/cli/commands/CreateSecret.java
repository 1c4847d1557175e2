package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.ParamFiles;
import dev.managedsecrets.cli.aws.ProjectedValue;
import dev.managedsecrets.cli.aws.ResourceNames;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.aws.Shorthand;
import dev.managedsecrets.cli.kube.Kube;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.cli.output.Output;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.validation.SpecValidator;
import dev.managedsecrets.core.value.SecretValue;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** CreateSecret: a new ManagedSecret whose secretName is --name. */
@Command(
    name = "create-secret",
    sortOptions = false,
    description = {
      "Creates a ManagedSecret (spec.secretName = --name), waits until the operator made it Ready,"
          + " and prints ARN, Name and VersionId. The object's name is derived from --name"
          + " (see docs/CLI.md) or given with --resource-name. The value is sealed for the"
          + " operator's public key: no plain value is written into the ManagedSecret."
    })
public final class CreateSecret extends EndpointCommand {

  @Option(names = "--name", required = true, paramLabel = "<name>", description = "Secret name.")
  String name;

  @Mixin ValueOptions value;

  @Option(names = "--description", paramLabel = "<text>", description = "Description.")
  String description;

  @Option(names = "--kms-key-id", paramLabel = "<key>", description = "KMS key (spec.kmsKeyId).")
  String kmsKeyId;

  @Option(
      names = "--tags",
      arity = "1..*",
      paramLabel = "<tag>",
      description = "Key=k,Value=v ... or JSON [{\"Key\":\"k\",\"Value\":\"v\"}].")
  List<String> tags;

  @Option(
      names = "--client-request-token",
      paramLabel = "<token>",
      description = "Idempotency token, 32-64 characters; becomes the VersionId.")
  String clientRequestToken;

  @Option(
      names = "--add-replica-regions",
      arity = "1..*",
      paramLabel = "<replica>",
      description = "Refused: the operator has no replica regions yet.")
  List<String> addReplicaRegions;

  @Option(
      names = "--force-overwrite-replica-secret",
      negatable = true,
      description = "Accepted for compatibility; without replica regions it has no effect.")
  Boolean forceOverwriteReplicaSecret;

  @Option(
      names = "--resource-name",
      paramLabel = "<object-name>",
      description = "The ManagedSecret's metadata.name (default: derived from --name).")
  String resourceName;

  @Option(
      names = "--dry-run",
      arity = "0..1",
      fallbackValue = "client",
      paramLabel = "client",
      description = "Print the ManagedSecret manifest (-o yaml or json) instead of creating it.")
  String dryRun;

  @Mixin SealingKeyOptions sealing;

  @Mixin WaitOptions wait;

  @Override
  protected ObjectNode request() {
    if (resourceName != null || dryRun != null) {
      throw new CliException(
          CliException.USAGE,
          (resourceName != null ? "--resource-name" : "--dry-run")
              + " is not taken with --service-account: the endpoint names the ManagedSecret"
              + " itself and creates it at once.");
    }
    EndpointRequest request =
        new EndpointRequest()
            .put("Name", name)
            .token(clientRequestToken)
            .put("Description", description)
            .put("KmsKeyId", kmsKeyId)
            .value(value)
            .tags("--tags", tags)
            .put("ForceOverwriteReplicaSecret", forceOverwriteReplicaSecret);
    if (addReplicaRegions != null) {
      ArrayNode regions = request.json().putArray("AddReplicaRegions");
      for (ReplicaRegion r : Shorthand.replicaRegions("--add-replica-regions", addReplicaRegions)) {
        ObjectNode one = regions.addObject().put("Region", r.region);
        if (r.kmsKeyId != null) {
          one.put("KmsKeyId", r.kmsKeyId);
        }
      }
    }
    return request.json();
  }

  @Override
  public String operation() {
    return "CreateSecret";
  }

  @Override
  protected JsonNode execute() {
    if (addReplicaRegions != null) {
      throw ServiceException.invalidRequest(
          "Replica regions are not supported by this operator yet: nothing was created. Create the"
              + " secret without --add-replica-regions.");
    }
    if (dryRun != null && !dryRun.equals("client")) {
      throw new CliException(
          CliException.USAGE, "--dry-run takes no value or \"client\"; got \"" + dryRun + "\"");
    }
    String namespace = dryRun != null ? Kube.namespace(root.settings()) : root.kube().namespace();
    ManagedSecret ms = manifest(namespace);
    try {
      SpecValidator.validate(ms);
    } catch (SecretsManagerException e) {
      throw ServiceException.of(e);
    }
    SecretValue plain = plainValue(ms.getSpec());
    if (plain != null) {
      ValueSealing.seal(
          ms.getSpec(),
          sealing.key(root, through.endpoint.operatorNamespace),
          namespace,
          ms.getMetadata().getName());
    }
    if (dryRun != null) {
      Output.Format format = root.output == Output.Format.json ? root.output : Output.Format.yaml;
      JsonNode manifest = Serialization.jsonMapper().valueToTree(ms);
      ((ObjectNode) manifest).remove("status");
      root.out.print(
          format == Output.Format.json ? Json.print(manifest) + "\n" : Output.yaml(manifest));
      root.out.flush();
      return null;
    }
    Secrets secrets = secrets();
    Optional<ManagedSecret> existing = secrets.find(name);
    if (existing.isPresent() && Secrets.deleting(existing.get())) {
      // Its finalizer schedules the stored secret for deletion; then this one restores it.
      secrets.awaitGone(existing.get().getMetadata().getName(), wait.timeout());
      existing = secrets.find(name);
    }
    if (existing.isPresent()) {
      return idempotent(secrets, existing.get(), plain);
    }
    ManagedSecret created;
    try {
      created = secrets.api().inNamespace(namespace).resource(ms).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        ManagedSecret other = secrets.resource(ms.getMetadata().getName()).get();
        throw new ServiceException(
            "ResourceExistsException",
            "ManagedSecret "
                + ms.getMetadata().getName()
                + " already exists in namespace "
                + namespace
                + (other == null ? "" : " and holds the secret " + Responses.name(other))
                + ": choose another object name with --resource-name.");
      }
      throw e;
    }
    if (!wait.waits()) {
      ObjectNode out = Responses.arnAndName(created);
      if (clientRequestToken != null) {
        out.put("VersionId", clientRequestToken);
      }
      return out;
    }
    ManagedSecret ready;
    try {
      ready =
          secrets.awaitReady(
              created.getMetadata().getName(),
              created.getMetadata().getGeneration(),
              wait.timeout());
    } catch (ServiceException e) {
      // AWS creates nothing when CreateSecret fails: take back the ManagedSecret.
      secrets.resource(created.getMetadata().getName()).delete();
      secrets.awaitGone(created.getMetadata().getName(), wait.timeout());
      throw e;
    }
    return response(ready);
  }

  private ManagedSecret manifest(String namespace) {
    String objectName = resourceName;
    if (objectName == null) {
      objectName = ResourceNames.derive(name, namespace);
      if (objectName == null) {
        throw new CliException(
            CliException.USAGE,
            "Parameter validation failed:\nInvalid value for parameter Name: \""
                + name
                + "\" has no letter or digit to make a Kubernetes object name from; choose one"
                + " with --resource-name.");
      }
    } else if (!ResourceNames.valid(objectName)) {
      throw new CliException(
          CliException.USAGE,
          "Parameter validation failed:\nInvalid value for parameter --resource-name: \""
              + objectName
              + "\" is not a valid object name (lower case letters, digits, '-' and '.', at most"
              + " 253, starting and ending with a letter or digit).");
    }
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setName(objectName);
    ms.getMetadata().setNamespace(namespace);
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.secretName = name;
    spec.description = ParamFiles.text("--description", description);
    spec.kmsKeyId = kmsKeyId;
    value.applyTo(spec);
    if (tags != null) {
      spec.tags = Shorthand.tags("--tags", tags);
    }
    spec.clientRequestToken = clientRequestToken;
    ms.setSpec(spec);
    return ms;
  }

  /** The value given, in plain text (before it is sealed); null when none. */
  private static SecretValue plainValue(ManagedSecretSpec spec) {
    if (spec.secretString != null) {
      return SecretValue.text(spec.secretString);
    }
    if (spec.secretBinary != null) {
      return new SecretValue(Base64.getDecoder().decode(spec.secretBinary.strip()), true);
    }
    return null;
  }

  /**
   * AWS: the same token and value again succeed; anything else is ResourceExistsException. The
   * value is sealed in the ManagedSecret, so it is compared with what the projected Secret holds
   * for the token's version (a secret whose Secret one may not read is taken as another value).
   */
  private JsonNode idempotent(Secrets secrets, ManagedSecret existing, SecretValue plain) {
    ManagedSecretSpec have = existing.getSpec();
    if (clientRequestToken != null
        && have != null
        && clientRequestToken.equals(have.clientRequestToken)
        && sameValue(secrets, existing, plain)) {
      return response(existing);
    }
    throw new ServiceException(
        "ResourceExistsException",
        "The operation failed because the secret " + name + " already exists.");
  }

  private boolean sameValue(Secrets secrets, ManagedSecret existing, SecretValue plain) {
    ManagedSecretSpec have = existing.getSpec();
    boolean sealed = have.sealedSecretString != null || have.sealedSecretBinary != null;
    if (plain == null) {
      return !sealed && have.secretString == null && have.secretBinary == null;
    }
    if (!sealed) {
      // Written in plain text by an earlier release of the plugin.
      return plain.binary()
          ? Objects.equals(have.secretBinary, Base64.getEncoder().encodeToString(plain.bytes()))
          : Objects.equals(have.secretString, plain.asText());
    }
    if (plain.binary() != (have.sealedSecretBinary != null)) {
      return false;
    }
    Secret projected;
    try {
      projected = secrets.projected(existing);
    } catch (KubernetesClientException e) {
      return false;
    }
    return projected != null
        && projected.getMetadata().getAnnotations() != null
        && clientRequestToken.equals(
            projected.getMetadata().getAnnotations().get(Projection.VERSION_ANNOTATION))
        && ProjectedValue.holds(projected, plain, have.target);
  }

  private static JsonNode response(ManagedSecret ms) {
    ObjectNode out = Responses.arnAndName(ms);
    if (ms.getStatus() != null && ms.getStatus().versionId != null) {
      out.put("VersionId", ms.getStatus().versionId);
    }
    return out;
  }
}
