package dev.managedsecrets.core.replication;

import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.validation.Regions;
import dev.managedsecrets.core.validation.SpecValidator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What ReplicateSecretToRegions, RemoveRegionsFromReplication and StopReplicationToReplica do to a
 * ManagedSecret, as Secrets Manager does it: the one place of these rules and texts, which the
 * endpoint and the kubectl plugin both apply. ReplicateSecretToRegions appends regions to {@code
 * spec.replicaRegions} (and may turn {@code forceOverwriteReplicaSecret} on);
 * RemoveRegionsFromReplication takes regions out of it; StopReplicationToReplica, in the replica's
 * region, sets the annotation {@link #STOP_REPLICATION} on the replica's ManagedSecret, and that
 * region's operator promotes it.
 */
public final class ReplicationRequests {

  /** Set on a replica's ManagedSecret (the request's time, ISO-8601): promote it. */
  public static final String STOP_REPLICATION = "managedsecrets.dev/stop-replication";

  /** StopReplicationToReplica of a secret that is no replica. */
  public static final String NOT_A_REPLICA = "The secret is not a replica of another secret.";

  /** A region that RemoveRegionsFromReplication names and the secret is not replicated to. */
  public static final String NOT_REPLICATED = "Invalid replica region.";

  /** The most regions one request names (AWS's bound is the one of the secret). */
  public static final int MAX_REGIONS = SpecValidator.MAX_REPLICA_REGIONS;

  private ReplicationRequests() {}

  /**
   * ReplicateSecretToRegions on {@code spec}: each region of {@code add} appended to {@code
   * replicaRegions} (a region there already with the same key changes nothing), and {@code
   * forceOverwriteReplicaSecret} turned on when {@code force} is true (off when it is false and was
   * on). Checked against the operator's {@code regions} before anything is written.
   *
   * @param add AddReplicaRegions: each a Region and an optional KmsKeyId (empty: the region's
   *     default key)
   * @param force ForceOverwriteReplicaSecret; null leaves the spec's as it is
   * @throws SecretsManagerException AWS's exception and message: an empty list, a region without a
   *     name, of a bad shape, listed twice, not a peer or the own region, a region replicated
   *     already under another key, or more regions than a secret may have
   */
  public static void replicate(
      ManagedSecretSpec spec, List<ReplicaRegion> add, Boolean force, Regions regions) {
    if (add == null || add.isEmpty()) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'addReplicaRegions' failed to satisfy"
              + " constraint: Member must have length greater than or equal to 1");
    }
    List<ReplicaRegion> next =
        new ArrayList<>(spec.replicaRegions == null ? List.of() : copy(spec.replicaRegions));
    Map<String, ReplicaRegion> known =
        next.stream().collect(Collectors.toMap(r -> r.region, Function.identity(), (a, b) -> a));
    Set<String> asked = new HashSet<>();
    for (ReplicaRegion r : add) {
      if (r == null || r.region == null) {
        throw SecretsManagerException.validation(
            "1 validation error detected: Value null at 'addReplicaRegions.member.region' failed"
                + " to satisfy constraint: Member must not be null");
      }
      String key = r.kmsKeyId == null || r.kmsKeyId.isEmpty() ? null : r.kmsKeyId;
      if (!asked.add(r.region)) {
        throw SecretsManagerException.invalidParameter(
            "Each replica region may be listed only once.");
      }
      ReplicaRegion there = known.get(r.region);
      if (there == null) {
        next.add(new ReplicaRegion(r.region, key));
      } else if (!Objects.equals(there.kmsKeyId, key)) {
        throw SecretsManagerException.invalidParameter(
            "The secret is already replicated to "
                + r.region
                + " with "
                + (there.kmsKeyId == null
                    ? "that region's default key"
                    : "the key " + there.kmsKeyId)
                + ": remove the region first (RemoveRegionsFromReplication) to replicate it under"
                + " another key.");
      }
    }
    if (next.size() > SpecValidator.MAX_REPLICA_REGIONS) {
      throw new SecretsManagerException(
          AwsError.LIMIT_EXCEEDED_EXCEPTION,
          "A secret can be replicated to at most "
              + SpecValidator.MAX_REPLICA_REGIONS
              + " regions; this would make "
              + next.size()
              + ".");
    }
    SpecValidator.replicaRegions(next, regions);
    spec.replicaRegions = next;
    if (Boolean.TRUE.equals(force)) {
      spec.forceOverwriteReplicaSecret = true;
    } else if (Boolean.FALSE.equals(force) && spec.forceOverwriteReplicaSecret != null) {
      spec.forceOverwriteReplicaSecret = false;
    }
  }

  /**
   * RemoveRegionsFromReplication on {@code spec}: the regions taken out of {@code replicaRegions}
   * (none left: the field is cleared, and with it {@code forceOverwriteReplicaSecret}).
   *
   * @throws SecretsManagerException ValidationException for an empty list,
   *     InvalidParameterException for a region the secret is not replicated to
   */
  public static void remove(ManagedSecretSpec spec, List<String> regions) {
    if (regions == null || regions.isEmpty()) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'removeReplicaRegions' failed to satisfy"
              + " constraint: Member must have length greater than or equal to 1");
    }
    List<ReplicaRegion> now = spec.replicaRegions == null ? List.of() : copy(spec.replicaRegions);
    Set<String> there = now.stream().map(r -> r.region).collect(Collectors.toSet());
    for (String region : regions) {
      if (region == null || !there.contains(region)) {
        throw SecretsManagerException.invalidParameter(
            NOT_REPLICATED
                + " The secret is not replicated to "
                + region
                + (there.isEmpty()
                    ? "; it has no replica regions."
                    : "; its replica regions are " + String.join(", ", sorted(there)) + "."));
      }
    }
    List<ReplicaRegion> next = now.stream().filter(r -> !regions.contains(r.region)).toList();
    spec.replicaRegions = next.isEmpty() ? null : new ArrayList<>(next);
    if (next.isEmpty()) {
      spec.forceOverwriteReplicaSecret = null;
    }
  }

  /**
   * StopReplicationToReplica's rule: only a replica is promoted.
   *
   * @param replica whether the secret named is a replica's (owned by a ManagedSecretReplica)
   * @throws SecretsManagerException InvalidRequestException when it is not
   */
  public static void requireReplica(boolean replica) {
    if (!replica) {
      throw new SecretsManagerException(AwsError.INVALID_REQUEST_EXCEPTION, NOT_A_REPLICA);
    }
  }

  /**
   * The ReplicationStatus an answer carries, one per region of {@code replicaRegions} in its order:
   * the status's entry for a region it reports under the same key, else InProgress (a region just
   * added, or whose key just changed).
   */
  public static List<ReplicationStatus> statuses(
      List<ReplicaRegion> replicaRegions, List<ReplicationStatus> reported) {
    List<ReplicationStatus> out = new ArrayList<>();
    if (replicaRegions == null) {
      return out;
    }
    for (ReplicaRegion r : replicaRegions) {
      ReplicationStatus known =
          reported == null
              ? null
              : reported.stream()
                  .filter(s -> r.region.equals(s.region) && Objects.equals(r.kmsKeyId, s.kmsKeyId))
                  .findFirst()
                  .orElse(null);
      out.add(
          known != null
              ? new ReplicationStatus(
                  known.region, known.kmsKeyId, known.status, known.statusMessage)
              : new ReplicationStatus(
                  r.region, r.kmsKeyId, ReplicationStatus.IN_PROGRESS, "Replication in progress."));
    }
    return out;
  }

  private static List<ReplicaRegion> copy(List<ReplicaRegion> regions) {
    return regions.stream()
        .filter(Objects::nonNull)
        .map(r -> new ReplicaRegion(r.region, r.kmsKeyId))
        .toList();
  }

  private static List<String> sorted(Set<String> regions) {
    return regions.stream().sorted().toList();
  }
}
