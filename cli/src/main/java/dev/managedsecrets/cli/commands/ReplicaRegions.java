package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.replication.ReplicationRequests;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What replicate-secret-to-regions and remove-regions-from-replication share: the change of {@code
 * spec.replicaRegions} and {@code forceOverwriteReplicaSecret} by the rules of {@link
 * ReplicationRequests}, checked on a copy before anything is written, sent as a merge patch of
 * those two fields only, and AWS's answer {ARN, ReplicationStatus}.
 */
final class ReplicaRegions {

  private ReplicaRegions() {}

  /** Whether {@code ms} is a replica's ManagedSecret: owned by a ManagedSecretReplica. */
  static boolean isReplica(ManagedSecret ms) {
    return ms.getMetadata().getOwnerReferences() != null
        && ms.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> "ManagedSecretReplica".equals(o.getKind()));
  }

  /** Refuses a change of a replica, as the endpoint and AWS refuse it. */
  static void requirePrimary(ManagedSecret ms) {
    if (isReplica(ms)) {
      throw ServiceException.invalidRequest(
          "Operation not permitted on a replica secret. Call must be made in primary secret's"
              + " region ("
              + Responses.primaryRegion(ms)
              + ").");
    }
  }

  /** Changes the replica regions of the secret {@code secretId} as {@code change} does. */
  static JsonNode change(Secrets secrets, String secretId, Consumer<ManagedSecretSpec> change) {
    ManagedSecret ms = secrets.requireLive(secretId);
    requirePrimary(ms);
    ManagedSecretSpec checked = RotateSecret.changed(ms, change);
    ManagedSecretSpec before = ms.getSpec() == null ? new ManagedSecretSpec() : ms.getSpec();
    boolean changes =
        !Objects.equals(
                Json.MAPPER.valueToTree(checked.replicaRegions),
                Json.MAPPER.valueToTree(before.replicaRegions))
            || !Objects.equals(
                checked.forceOverwriteReplicaSecret, before.forceOverwriteReplicaSecret);
    ManagedSecret after = ms;
    if (changes) {
      Checks.validate(
          ms,
          spec -> {
            spec.replicaRegions = checked.replicaRegions;
            spec.forceOverwriteReplicaSecret = checked.forceOverwriteReplicaSecret;
          });
      after =
          secrets.patchSpec(
              ms,
              latest -> {
                ManagedSecretSpec next = RotateSecret.changed(latest, change);
                ObjectNode patch = Json.object();
                patch.set("replicaRegions", Json.MAPPER.valueToTree(next.replicaRegions));
                patch.set(
                    "forceOverwriteReplicaSecret",
                    Json.MAPPER.valueToTree(next.forceOverwriteReplicaSecret));
                return patch;
              });
    }
    ObjectNode out = Json.object();
    if (Responses.arn(ms) != null) {
      out.put("ARN", Responses.arn(ms));
    }
    out.set(
        "ReplicationStatus",
        Responses.replicationStatus(
            ReplicationRequests.statuses(
                after.getSpec().replicaRegions,
                after.getStatus() == null ? null : after.getStatus().replicationStatus)));
    return out;
  }
}
