package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.replication.ReplicationRequests;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * StopReplicationToReplica, in the replica's region (the context of that region's cluster): the
 * annotation managedsecrets.dev/stop-replication on the replica's ManagedSecret, which the operator
 * there promotes to a standalone secret. Only a replica is stopped ({@link ReplicationRequests}).
 */
@Command(
    name = "stop-replication-to-replica",
    description =
        "Promotes a replica to a standalone secret of this region (run in the replica's region);"
            + " prints its ARN.")
public final class StopReplicationToReplica extends SecretCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The replica's name or ARN.")
  String secretId;

  @Override
  public String operation() {
    return "StopReplicationToReplica";
  }

  @Override
  protected JsonNode execute() {
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    RotateSecret.aws(() -> ReplicationRequests.requireReplica(ReplicaRegions.isReplica(ms)));
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    if (annotations == null || !annotations.containsKey(ReplicationRequests.STOP_REPLICATION)) {
      // A retry changes nothing: the first request's time stays.
      secrets.patchSpec(
          ms,
          latest -> null,
          Map.of(ReplicationRequests.STOP_REPLICATION, Instant.now().toString()));
    }
    ObjectNode out = Json.object();
    if (Responses.arn(ms) != null) {
      out.put("ARN", Responses.arn(ms));
    }
    return out;
  }
}
