package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.ProjectedValue;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.core.projection.Projection;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * GetSecretValue: with {@code --service-account}, any version, answered by the operator's Secrets
 * Manager endpoint ({@link ThroughEndpoint}); without it, read from the projected Secret, which
 * holds AWSCURRENT, so only that version (by its VersionId or any of its labels) can be read.
 */
@Command(
    name = "get-secret-value",
    description =
        "Prints a value with ARN, Name, VersionId and VersionStages: the AWSCURRENT value from"
            + " the projected Secret, or with --service-account any version, read through the"
            + " operator's Secrets Manager endpoint.")
public final class GetSecretValue extends EndpointCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--version-id",
      paramLabel = "<id>",
      description = "Only this version (without --service-account it must be the projected one).")
  String versionId;

  @Option(
      names = "--version-stage",
      paramLabel = "<label>",
      description =
          "Only the version with this label (without --service-account, the projected one).")
  String versionStage;

  @Override
  public String operation() {
    return "GetSecretValue";
  }

  @Override
  protected ObjectNode request() {
    return new EndpointRequest()
        .put("SecretId", secretId)
        .put("VersionId", versionId)
        .put("VersionStage", versionStage)
        .json();
  }

  @Override
  protected JsonNode execute() {
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    Secret projected = secrets.projected(ms);
    String projectedVersion = projectedVersion(ms, projected);
    if (projectedVersion == null) {
      throw notFound();
    }
    List<String> stages = new ArrayList<>(Responses.stagesOf(ms, projectedVersion));
    if (stages.isEmpty()) {
      stages.add("AWSCURRENT");
    }
    if (versionId != null && !versionId.equals(projectedVersion)) {
      throw notFound();
    }
    if (versionStage != null && !stages.contains(versionStage)) {
      throw notFound();
    }
    ProjectedValue value = ProjectedValue.of(ms, projected);
    ObjectNode out = Responses.arnAndName(ms);
    out.put("VersionId", projectedVersion);
    if (value.binary() != null) {
      out.put("SecretBinary", value.binary());
    } else {
      out.put("SecretString", value.text());
    }
    ArrayNode labels = out.putArray("VersionStages");
    stages.forEach(labels::add);
    return out;
  }

  /** The version the projected Secret holds, if it is this ManagedSecret's. */
  private static String projectedVersion(ManagedSecret ms, Secret projected) {
    if (projected == null || projected.getMetadata().getOwnerReferences() == null) {
      return null;
    }
    boolean ours =
        projected.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> ms.getMetadata().getUid().equals(o.getUid()));
    Map<String, String> annotations = projected.getMetadata().getAnnotations();
    return ours && annotations != null ? annotations.get(Projection.VERSION_ANNOTATION) : null;
  }

  private ServiceException notFound() {
    String what =
        versionId != null
            ? "VersionId: " + versionId
            : "staging label: " + (versionStage != null ? versionStage : "AWSCURRENT");
    return new ServiceException(
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for " + what);
  }
}
