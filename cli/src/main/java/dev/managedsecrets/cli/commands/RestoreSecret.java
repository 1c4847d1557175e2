package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.ResourceNames;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.output.Json;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * RestoreSecret: a ManagedSecret with the secret's name and no value (with {@code
 * --service-account}, the endpoint's RestoreSecret, which also brings back the description, KMS key
 * and tags the store kept). Inside the recovery window the operator restores the stored secret with
 * its versions and ARN, and projects AWSCURRENT again. A name with nothing to restore is AWS's
 * ResourceNotFoundException, and the ManagedSecret made to look for it is removed again.
 */
@Command(
    name = "restore-secret",
    sortOptions = false,
    description = "Brings back a deleted secret inside its recovery window, with its versions.")
public final class RestoreSecret extends EndpointCommand {

  private static final Pattern ARN =
      Pattern.compile("arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)-[A-Za-z0-9]{6}");

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--resource-name",
      paramLabel = "<object-name>",
      description = "The ManagedSecret's metadata.name (default: derived from the name).")
  String resourceName;

  @Mixin WaitOptions wait;

  @Override
  public String operation() {
    return "RestoreSecret";
  }

  /**
   * With {@code --service-account}: the endpoint's RestoreSecret, which brings back the
   * description, KMS key and tags the store kept, as AWS's does.
   */
  @Override
  protected ObjectNode request() {
    if (resourceName != null) {
      throw new CliException(
          CliException.USAGE,
          "--resource-name is not taken with --service-account: the endpoint names the"
              + " ManagedSecret itself.");
    }
    return new EndpointRequest().put("SecretId", secretId).json();
  }

  @Override
  protected JsonNode execute() {
    Matcher arn = ARN.matcher(secretId);
    String name = arn.matches() ? arn.group(1) : secretId;
    Secrets secrets = secrets();
    Optional<ManagedSecret> existing = secrets.find(secretId);
    if (existing.isPresent() && !Secrets.deleting(existing.get())) {
      return Responses.arnAndName(existing.get()); // not deleted: nothing to restore
    }
    if (existing.isPresent()) {
      secrets.awaitGone(existing.get().getMetadata().getName(), wait.timeout());
    }
    String objectName =
        resourceName != null ? resourceName : ResourceNames.derive(name, secrets.namespace());
    if (objectName == null || !ResourceNames.valid(objectName)) {
      throw new CliException(
          CliException.USAGE,
          "Parameter validation failed:\nInvalid value for parameter SecretId: \""
              + name
              + "\" can't be mapped to a Kubernetes object name; choose one with"
              + " --resource-name.");
    }
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setName(objectName);
    ms.getMetadata().setNamespace(secrets.namespace());
    ms.setSpec(new ManagedSecretSpec());
    ms.getSpec().secretName = name;
    Checks.validate(ms);
    ManagedSecret created = secrets.api().inNamespace(secrets.namespace()).resource(ms).create();
    if (!wait.waits()) {
      ObjectNode out = Json.object();
      if (arn.matches()) {
        out.put("ARN", secretId);
      }
      out.put("Name", name);
      return out;
    }
    ManagedSecret ready;
    try {
      ready = secrets.awaitReady(objectName, created.getMetadata().getGeneration(), wait.timeout());
    } catch (ServiceException e) {
      secrets.resource(objectName).delete();
      secrets.awaitGone(objectName, wait.timeout());
      throw e;
    }
    if (!restored(ready)) {
      // Nothing was in its recovery window: the operator made a new, empty secret. Purge it.
      secrets.patchSpec(ready, latest -> Json.object().put("forceDeleteWithoutRecovery", true));
      secrets.resource(objectName).delete();
      secrets.awaitGone(objectName, wait.timeout());
      throw ServiceException.notFound();
    }
    if (arn.matches() && !secretId.equals(Responses.arn(ready))) {
      // Another secret of that name was restored, not the one of this ARN: schedule it for
      // deletion again (its versions are kept) and answer as AWS does for an unknown ARN.
      secrets.resource(objectName).delete();
      secrets.awaitGone(objectName, wait.timeout());
      throw ServiceException.notFound();
    }
    return Responses.arnAndName(ready);
  }

  /** Restored: it has versions, or it was created before this ManagedSecret was. */
  private static boolean restored(ManagedSecret ms) {
    var status = ms.getStatus();
    if (status.versionIdsToStages != null && !status.versionIdsToStages.isEmpty()) {
      return true;
    }
    return status.createdDate != null
        && ms.getMetadata().getCreationTimestamp() != null
        && Instant.parse(status.createdDate)
            .isBefore(Instant.parse(ms.getMetadata().getCreationTimestamp()));
  }
}
