package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.core.replication.ReplicationRequests;
import dev.managedsecrets.operator.endpoint.Authorizer.Need;
import dev.managedsecrets.operator.replication.Replicas;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * ReplicateSecretToRegions, RemoveRegionsFromReplication and StopReplicationToReplica, with the
 * rules of {@link ReplicationRequests}: the first two write {@code spec.replicaRegions} (and {@code
 * forceOverwriteReplicaSecret}) only where no other writer set them, and the replication itself
 * runs in the operator, after the answer, as AWS's does. StopReplicationToReplica, made in a
 * replica's region, sets the annotation {@link ReplicationRequests#STOP_REPLICATION} on the
 * replica's ManagedSecret, which that region's operator promotes.
 */
final class ReplicationOperations {

  private final Services s;

  ReplicationOperations(Services services) {
    this.s = services;
  }

  Map<String, Operation> operations() {
    Map<String, Operation> ops = new LinkedHashMap<>();
    ops.put("ReplicateSecretToRegions", this::replicate);
    ops.put("RemoveRegionsFromReplication", this::remove);
    ops.put("StopReplicationToReplica", this::stop);
    return ops;
  }

  /** AddReplicaRegions (of CreateSecret and ReplicateSecretToRegions), or null when absent. */
  static List<ReplicaRegion> addReplicaRegions(Input in) {
    List<Input> items = in.structures("AddReplicaRegions", ReplicationRequests.MAX_REGIONS);
    if (items == null) {
      return null;
    }
    List<ReplicaRegion> out = new ArrayList<>();
    for (Input item : items) {
      out.add(
          new ReplicaRegion(item.optional("Region", 1, 128), item.optional("KmsKeyId", 0, 2048)));
    }
    return out;
  }

  ObjectNode replicate(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    List<ReplicaRegion> add = addReplicaRegions(in);
    Boolean force = in.optionalBool("ForceOverwriteReplicaSecret");
    Lookup.Target t =
        s.lookup()
            .authorized(caller.principal(), "ReplicateSecretToRegions", secretId, Need.of("patch"));
    Services.requireLive(t);
    ManagedSecret ms =
        change(t, spec -> ReplicationRequests.replicate(spec, add, force, s.regions()));
    return answer(t.arn(), ms);
  }

  ObjectNode remove(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    List<String> regions =
        in.strings("RemoveReplicaRegions", ReplicationRequests.MAX_REGIONS, 1, 128);
    Lookup.Target t =
        s.lookup()
            .authorized(
                caller.principal(), "RemoveRegionsFromReplication", secretId, Need.of("patch"));
    Services.requireLive(t);
    ManagedSecret ms = change(t, spec -> ReplicationRequests.remove(spec, regions));
    return answer(t.arn(), ms);
  }

  ObjectNode stop(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    Lookup.Target t =
        s.lookup()
            .authorizedOnReplica(
                caller.principal(), "StopReplicationToReplica", secretId, Need.of("patch"));
    Services.requireLive(t);
    ManagedSecret ms = t.object();
    ReplicationRequests.requireReplica(Replicas.isReplica(ms));
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    if (annotations == null || !annotations.containsKey(ReplicationRequests.STOP_REPLICATION)) {
      // A retry changes nothing: the first request's time stays.
      s.objects()
          .annotate(ms, ReplicationRequests.STOP_REPLICATION, s.clock().instant().toString());
    }
    ObjectNode out = Output.object();
    out.put("ARN", t.arn());
    return out;
  }

  /**
   * Applies {@code change} to a copy of the spec first (a refusal changes nothing), then, when it
   * changes a field, to the object: refused when another writer set a field it changes.
   */
  private ManagedSecret change(Lookup.Target t, Consumer<ManagedSecretSpec> change) {
    ManagedSecret ms = t.object();
    ManagedSecretSpec checked = Output.JSON.convertValue(ms.getSpec(), ManagedSecretSpec.class);
    change.accept(checked);
    List<String> fields = new ArrayList<>();
    if (!Objects.equals(
        Output.JSON.valueToTree(checked.replicaRegions),
        Output.JSON.valueToTree(ms.getSpec().replicaRegions))) {
      fields.add("replicaRegions");
    }
    if (!Objects.equals(
        checked.forceOverwriteReplicaSecret, ms.getSpec().forceOverwriteReplicaSecret)) {
      fields.add("forceOverwriteReplicaSecret");
    }
    return fields.isEmpty() ? ms : s.objects().changeSpec(ms, t.name(), fields, change);
  }

  /** AWS's answer: the primary's ARN and each region's ReplicationStatus. */
  private static ObjectNode answer(String arn, ManagedSecret ms) {
    ObjectNode out = Output.object();
    out.put("ARN", arn);
    out.set(
        "ReplicationStatus",
        Output.replication(
            ReplicationRequests.statuses(
                ms.getSpec().replicaRegions,
                ms.getStatus() == null ? null : ms.getStatus().replicationStatus)));
    return out;
  }
}
