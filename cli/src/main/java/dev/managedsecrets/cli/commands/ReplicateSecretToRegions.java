package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.cli.aws.Shorthand;
import dev.managedsecrets.core.replication.ReplicationRequests;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * ReplicateSecretToRegions, with the endpoint's rules ({@link ReplicationRequests}): the regions
 * appended to spec.replicaRegions (a region there already with the same key changes nothing), and
 * spec.forceOverwriteReplicaSecret set by --force-overwrite-replica-secret. The operator makes the
 * replicas after the answer; each region shows InProgress until it reports.
 */
@Command(
    name = "replicate-secret-to-regions",
    sortOptions = false,
    description =
        "Replicates the secret to peer regions (spec.replicaRegions); prints ARN and each region's"
            + " ReplicationStatus.")
public final class ReplicateSecretToRegions extends SecretCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--add-replica-regions",
      required = true,
      arity = "1..*",
      paramLabel = "<region>",
      description =
          "Region=eu-west-1[,KmsKeyId=alias/k] ... (the region's default key without KmsKeyId), or"
              + " JSON [{\"Region\":\"eu-west-1\",\"KmsKeyId\":\"alias/k\"}].")
  List<String> addReplicaRegions;

  @Option(
      names = "--force-overwrite-replica-secret",
      negatable = true,
      description =
          "Overwrite a secret of the same name in a replica region (default: that region fails).")
  Boolean forceOverwriteReplicaSecret;

  @Override
  public String operation() {
    return "ReplicateSecretToRegions";
  }

  @Override
  protected JsonNode execute() {
    List<ReplicaRegion> add = Shorthand.replicaRegions("--add-replica-regions", addReplicaRegions);
    return ReplicaRegions.change(
        secrets(),
        secretId,
        spec -> ReplicationRequests.replicate(spec, add, forceOverwriteReplicaSecret, null));
  }
}
