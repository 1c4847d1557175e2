package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.cli.aws.Shorthand;
import dev.managedsecrets.core.replication.ReplicationRequests;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * RemoveRegionsFromReplication, with the endpoint's rules ({@link ReplicationRequests}): the
 * regions taken out of spec.replicaRegions; the operator deletes their replicas at once.
 */
@Command(
    name = "remove-regions-from-replication",
    sortOptions = false,
    description =
        "Removes regions from spec.replicaRegions (their replicas are deleted); prints ARN and the"
            + " ReplicationStatus of the regions that remain.")
public final class RemoveRegionsFromReplication extends SecretCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--remove-replica-regions",
      required = true,
      arity = "1..*",
      paramLabel = "<region>",
      description = "The regions to remove: eu-west-1 ..., or JSON [\"eu-west-1\"].")
  List<String> removeReplicaRegions;

  @Override
  public String operation() {
    return "RemoveRegionsFromReplication";
  }

  @Override
  protected JsonNode execute() {
    List<String> regions = Shorthand.strings("--remove-replica-regions", removeReplicaRegions);
    return ReplicaRegions.change(
        secrets(), secretId, spec -> ReplicationRequests.remove(spec, regions));
  }
}
