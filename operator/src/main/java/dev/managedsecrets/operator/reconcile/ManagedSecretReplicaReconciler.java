package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplicaStatus;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.replication.ReplicaBinding;
import dev.managedsecrets.core.replication.ReplicaPayload;
import dev.managedsecrets.core.replication.ReplicaSeal;
import dev.managedsecrets.core.replication.ReplicaSealException;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.cache.Caches;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.namespaces.NamespaceIncarnations;
import dev.managedsecrets.operator.replication.PeerClients;
import dev.managedsecrets.operator.replication.PeerKeys;
import dev.managedsecrets.operator.replication.Replicas;
import dev.managedsecrets.operator.sealing.SealingKeys;
import dev.managedsecrets.operator.store.StoreConflictException;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The replica side of replication: a {@link ManagedSecretReplica}, which only the peer operator
 * configured as the primary region may write, becomes a read-only ManagedSecret of the same name in
 * this region. Its steps:
 *
 * <ol>
 *   <li>The namespace accepts replicas (label {@value Replicas#ACCEPT} {@code "true"}), and the
 *       primary region is a peer of this operator.
 *   <li>The payload opens with this operator's sealing key, authenticated as sent by the primary
 *       region's operator (its published key, read through this operator's own kubeconfig of that
 *       region) and bound to this region, namespace and name ({@link ReplicaSeal}).
 *   <li>The ManagedSecret of that name: made, or kept as the primary's spec says (a tenant's edit
 *       is put back), owned by the replica. One that is not the replica's is left alone and
 *       reported ("already exists") unless the primary forces the overwrite; one promoted from this
 *       replica ({@value Replicas#PROMOTED_FROM}) is never overwritten.
 *   <li>The store: the record holds exactly the primary's labelled versions, with their VersionIds,
 *       dates and labels, under the replica's key here; the ManagedSecret's own reconcile projects
 *       the Secret.
 *   <li>Status: Ready with the version, for the primary to read back.
 * </ol>
 *
 * A replica whose spec was applied already, and whose ManagedSecret is as it left it, costs no
 * decryption, KMS call or write.
 */
public final class ManagedSecretReplicaReconciler
    implements Reconciler<ManagedSecretReplica>, Cleaner<ManagedSecretReplica> {

  public static final String FINALIZER = ManagedSecretReconciler.FINALIZER;

  static final String MANAGED_SECRETS_SOURCE = "replica-managed-secrets";

  /** How soon a refused replica is looked at again (a namespace label, a peer's keys). */
  static final Duration RECHECK = Duration.ofSeconds(30);

  private final SecretsManagerService secrets;
  private final Kms kms;
  private final SealingKeys own;
  private final PeerClients peers;
  private final PeerKeys peerKeys;
  private final NamespaceIncarnations namespaces;
  private final StoreWrites storeWrites;
  private final String region;
  private final FailureFunnel failures;
  private final EventRecorder events;
  private final Clock clock;

  public ManagedSecretReplicaReconciler(
      SecretsManagerService secrets,
      Kms kms,
      SealingKeys own,
      PeerClients peers,
      PeerKeys peerKeys,
      NamespaceIncarnations namespaces,
      StoreWrites storeWrites,
      String region,
      EventRecorder events,
      Clock clock) {
    this.secrets = secrets;
    this.kms = kms;
    this.own = own;
    this.peers = peers;
    this.peerKeys = peerKeys;
    this.namespaces = namespaces;
    this.storeWrites = storeWrites;
    this.region = region;
    this.failures = new FailureFunnel(events, clock);
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, ManagedSecretReplica>> prepareEventSources(
      EventSourceContext<ManagedSecretReplica> context) {
    var config =
        InformerEventSourceConfiguration.from(ManagedSecret.class, ManagedSecretReplica.class)
            .withName(MANAGED_SECRETS_SOURCE)
            .withLabelSelector(Replicas.REPLICA_LABEL + "=true")
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ManagedSecretReplica.class))
            .withItemStore(Caches.compact())
            .build();
    return List.of(new InformerEventSource<>(config, context));
  }

  @Override
  public UpdateControl<ManagedSecretReplica> reconcile(
      ManagedSecretReplica replica, Context<ManagedSecretReplica> context) {
    ManagedSecret existing = managedSecret(replica, context);
    if (existing != null && ownedBy(existing, replica) && promotionAsked(existing)) {
      promote(replica, existing, context);
      return UpdateControl.noUpdate();
    }
    if (applied(replica, existing)) {
      return UpdateControl.noUpdate();
    }
    // 1. Accepted here.
    String namespace = replica.getMetadata().getNamespace();
    requireAccepted(namespace, context);
    String primaryRegion = replica.getSpec().primaryRegion;
    if (!peers.configured(primaryRegion)) {
      throw new SecretsManagerException(
          AwsError.ACCESS_DENIED_EXCEPTION,
          "Region "
              + primaryRegion
              + " is not a peer region of this operator (replication.peers): its replicas are not"
              + " accepted here.");
    }
    // 2. Open: authentic, and for this region, namespace and name.
    ReplicaPayload payload = open(replica);
    try {
      Long applied = replica.getStatus() == null ? null : replica.getStatus().appliedSequence;
      if (applied != null && payload.sequence() < applied) {
        throw new SecretsManagerException(
            AwsError.ACCESS_DENIED_EXCEPTION,
            "The replica's payload is older (sequence "
                + payload.sequence()
                + ") than the one applied (sequence "
                + applied
                + "): an earlier payload written back is not applied.");
      }
      // 3. The ManagedSecret, owned by the replica.
      ManagedSecretSpec spec = spec(payload);
      ManagedSecret ms = ensureManagedSecret(replica, existing, spec, context);
      // 4. The store holds the primary's labelled versions under the replica's key.
      String keyArn = kms.resolve(spec.kmsKeyId, namespace);
      if (!payload.primaryArn().equals(replica.getSpec().primaryArn)) {
        throw new SecretsManagerException(
            AwsError.ACCESS_DENIED_EXCEPTION,
            "The replica's payload is of another primary than its spec names.");
      }
      StoredSecret written = mirror(ms, payload, keyArn);
      // 5. Status.
      ManagedSecretReplicaStatus status = copy(replica.getStatus());
      status.versionId = written.current().map(v -> v.versionId()).orElse(null);
      status.appliedDigest = specDigest(ms.getMetadata().getName(), spec);
      status.appliedSequence = payload.sequence();
      status.observedGeneration = replica.getMetadata().getGeneration();
      status.conditions =
          Conditions.set(
              status.conditions,
              Conditions.READY,
              true,
              "Replicated",
              "Replica of "
                  + payload.primaryArn()
                  + (status.versionId == null ? "." : " holds version " + status.versionId + "."),
              replica.getMetadata().getGeneration(),
              clock.instant());
      StatusWriter.write(replica, status, s -> s.conditions, context);
      return UpdateControl.noUpdate();
    } finally {
      payload.clear();
    }
  }

  /**
   * The record of {@code ms} made the same as the primary's, claimed for it first. The
   * ManagedSecret's own reconcile may make or change the record at the same time: a conflict is
   * read again and tried once more.
   */
  private StoredSecret mirror(ManagedSecret ms, ReplicaPayload payload, String keyArn) {
    Names names = Names.of(ms);
    String arn = Replicas.arnIn(payload.primaryArn(), region);
    for (int attempt = 1; ; attempt++) {
      try {
        StoredSecret record =
            secrets
                .claim(
                    names.id(),
                    ms.getMetadata().getName(),
                    ms.getMetadata().getUid(),
                    () -> namespaces.of(ms),
                    false)
                .secret();
        StoredSecret written = secrets.mirror(record, arn, payload.versions(), keyArn);
        if (written != record) {
          storeWrites.written(ms.getMetadata().getNamespace(), ms.getMetadata().getName());
        }
        return written;
      } catch (StoreConflictException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  @Override
  public ErrorStatusUpdateControl<ManagedSecretReplica> updateErrorStatus(
      ManagedSecretReplica replica, Context<ManagedSecretReplica> context, Exception e) {
    List<Condition> before = replica.getStatus() == null ? null : replica.getStatus().conditions;
    return failures.fail(
        replica,
        before,
        e,
        (failure, conditions) -> {
          ManagedSecretReplicaStatus status = copy(replica.getStatus());
          status.conditions = conditions;
          status.observedGeneration = replica.getMetadata().getGeneration();
          StatusWriter.write(replica, status, s -> s.conditions, context);
        },
        RECHECK);
  }

  /** Removing a replica removes its ManagedSecret here, without a recovery window, as AWS does. */
  @Override
  public DeleteControl cleanup(
      ManagedSecretReplica replica, Context<ManagedSecretReplica> context) {
    ManagedSecret ms = managedSecret(replica, context);
    if (ms != null && ownedBy(ms, replica)) {
      context.getClient().resource(ms).delete();
    }
    return DeleteControl.defaultDelete();
  }

  private static boolean promotionAsked(ManagedSecret ms) {
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(Replicas.STOP_REPLICATION);
  }

  /**
   * StopReplicationToReplica: the ManagedSecret becomes a standalone secret of this region, with
   * the versions, ARN and Secret it has; it keeps the primary's ARN in {@value
   * Replicas#PROMOTED_FROM}, so that the primary never overwrites it (it reports it instead). The
   * replica object goes; the ManagedSecret is no longer its.
   */
  private void promote(
      ManagedSecretReplica replica, ManagedSecret ms, Context<ManagedSecretReplica> context) {
    Map<String, String> labels =
        ms.getMetadata().getLabels() == null
            ? new HashMap<>()
            : new HashMap<>(ms.getMetadata().getLabels());
    labels.remove(Replicas.REPLICA_LABEL);
    ms.getMetadata().setLabels(labels);
    Map<String, String> annotations = new HashMap<>(ms.getMetadata().getAnnotations());
    annotations.remove(Replicas.STOP_REPLICATION);
    String primaryArn = annotations.remove(Replicas.REPLICA_OF);
    annotations.put(
        Replicas.PROMOTED_FROM, primaryArn != null ? primaryArn : replica.getSpec().primaryArn);
    ms.getMetadata().setAnnotations(annotations);
    ms.getMetadata()
        .setOwnerReferences(
            ms.getMetadata().getOwnerReferences().stream()
                .filter(o -> !Objects.equals(o.getUid(), replica.getMetadata().getUid()))
                .toList());
    ms.getSpec().forceDeleteWithoutRecovery = null;
    ManagedSecret promoted = context.getClient().resource(ms).update();
    context.getClient().resource(replica).delete();
    events.normal(
        promoted,
        EventReason.ReplicaPromoted,
        "Promoted to a standalone secret of region "
            + region
            + "; its former primary "
            + annotations.get(Replicas.PROMOTED_FROM)
            + " no longer replicates to it.");
  }

  /** Nothing to do: this spec was applied, and the ManagedSecret is as it was made. */
  private static boolean applied(ManagedSecretReplica replica, ManagedSecret ms) {
    ManagedSecretReplicaStatus status = replica.getStatus();
    if (status == null
        || ms == null
        || !Objects.equals(status.observedGeneration, replica.getMetadata().getGeneration())
        || !ownedBy(ms, replica)) {
      return false;
    }
    Condition ready = Conditions.find(status.conditions, Conditions.READY);
    return ready != null
        && "True".equals(ready.getStatus())
        && Objects.equals(
            status.appliedDigest, specDigest(ms.getMetadata().getName(), kept(ms.getSpec())));
  }

  private ManagedSecret managedSecret(
      ManagedSecretReplica replica, Context<ManagedSecretReplica> context) {
    return context
        .getClient()
        .resources(ManagedSecret.class)
        .inNamespace(replica.getMetadata().getNamespace())
        .withName(replica.getMetadata().getName())
        .get();
  }

  private void requireAccepted(String namespace, Context<ManagedSecretReplica> context) {
    Namespace ns = context.getClient().namespaces().withName(namespace).get();
    Map<String, String> labels = ns == null ? null : ns.getMetadata().getLabels();
    if (labels == null || !"true".equals(labels.get(Replicas.ACCEPT))) {
      throw new SecretsManagerException(
          AwsError.ACCESS_DENIED_EXCEPTION,
          "Namespace "
              + namespace
              + " does not accept replicas: its owners label it "
              + Replicas.ACCEPT
              + "=true to let replicas of other regions in.");
    }
  }

  private ReplicaPayload open(ManagedSecretReplica replica) {
    String primaryRegion = replica.getSpec().primaryRegion;
    try {
      return ReplicaSeal.open(
          replica.getSpec().sealed,
          new ReplicaBinding(
              primaryRegion,
              region,
              replica.getMetadata().getNamespace(),
              replica.getMetadata().getName()),
          id -> own.holds(id) ? own.privateKey(id) : null,
          id -> peerKeys.key(primaryRegion, id));
    } catch (ReplicaSealException e) {
      throw new SecretsManagerException(
          AwsError.ACCESS_DENIED_EXCEPTION, "The replica's payload was refused: " + e.getMessage());
    }
  }

  private ManagedSecret ensureManagedSecret(
      ManagedSecretReplica replica,
      ManagedSecret existing,
      ManagedSecretSpec spec,
      Context<ManagedSecretReplica> context) {
    if (existing != null && !ownedBy(existing, replica)) {
      Map<String, String> annotations = existing.getMetadata().getAnnotations();
      if (annotations != null && annotations.containsKey(Replicas.PROMOTED_FROM)) {
        throw new SecretsManagerException(
            AwsError.RESOURCE_EXISTS_EXCEPTION,
            "Secret with this name was promoted to a standalone secret in this region; it is never"
                + " overwritten by its former primary.");
      }
      if (!Boolean.TRUE.equals(replica.getSpec().forceOverwrite)) {
        throw new SecretsManagerException(
            AwsError.RESOURCE_EXISTS_EXCEPTION,
            "Secret with this name already exists in this region.");
      }
    }
    ManagedSecret desired = existing == null ? new ManagedSecret() : existing;
    if (existing == null) {
      desired.getMetadata().setNamespace(replica.getMetadata().getNamespace());
      desired.getMetadata().setName(replica.getMetadata().getName());
    }
    Map<String, String> labels =
        desired.getMetadata().getLabels() == null
            ? new HashMap<>()
            : new HashMap<>(desired.getMetadata().getLabels());
    labels.put(Replicas.REPLICA_LABEL, "true");
    desired.getMetadata().setLabels(labels);
    Map<String, String> annotations =
        desired.getMetadata().getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(desired.getMetadata().getAnnotations());
    annotations.put(Replicas.REPLICA_OF, replica.getSpec().primaryArn);
    desired.getMetadata().setAnnotations(annotations);
    desired.getMetadata().setOwnerReferences(List.of(ownerReference(replica)));
    desired.setSpec(spec);
    if (existing == null) {
      return context.getClient().resource(desired).create();
    }
    return context.getClient().resource(desired).update();
  }

  private static OwnerReference ownerReference(ManagedSecretReplica replica) {
    return new OwnerReferenceBuilder()
        .withApiVersion(replica.getApiVersion())
        .withKind(replica.getKind())
        .withName(replica.getMetadata().getName())
        .withUid(replica.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static boolean ownedBy(ManagedSecret ms, ManagedSecretReplica replica) {
    return ms.getMetadata().getOwnerReferences() != null
        && ms.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Objects.equals(o.getUid(), replica.getMetadata().getUid()));
  }

  /** The spec of the replica's ManagedSecret: the primary's projection, the value in the store. */
  static ManagedSecretSpec spec(ReplicaPayload payload) {
    ManagedSecretSpec sent;
    try {
      sent = Serialization.unmarshal(payload.spec(), ManagedSecretSpec.class);
    } catch (RuntimeException e) {
      throw new SecretsManagerException(
          AwsError.INVALID_REQUEST_EXCEPTION, "The replica's settings do not parse.");
    }
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.secretName = sent.secretName;
    spec.kmsKeyId = sent.kmsKeyId;
    spec.target = sent.target;
    spec.description = payload.description();
    if (!payload.tags().isEmpty()) {
      List<Tag> tags = new ArrayList<>();
      payload.tags().forEach((k, v) -> tags.add(new Tag(k, v)));
      spec.tags = tags;
    }
    spec.valueSource = "Store";
    spec.forceDeleteWithoutRecovery = Boolean.TRUE;
    return spec;
  }

  /** The fields of a spec a replica sets, as {@link #spec} sets them. */
  private static ManagedSecretSpec kept(ManagedSecretSpec from) {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    if (from != null) {
      spec.secretName = from.secretName;
      spec.kmsKeyId = from.kmsKeyId;
      spec.target = from.target;
      spec.description = from.description;
      spec.tags = from.tags;
      spec.valueSource = from.valueSource;
      spec.forceDeleteWithoutRecovery = from.forceDeleteWithoutRecovery;
    }
    return spec;
  }

  private static String specDigest(String name, ManagedSecretSpec spec) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] json =
          (name + "\n" + Serialization.asJson(kept(spec))).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(sha.digest(json));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ManagedSecretReplicaStatus copy(ManagedSecretReplicaStatus status) {
    ManagedSecretReplicaStatus out = new ManagedSecretReplicaStatus();
    if (status != null) {
      out.conditions = status.conditions == null ? null : new ArrayList<>(status.conditions);
      out.versionId = status.versionId;
      out.appliedDigest = status.appliedDigest;
      out.appliedSequence = status.appliedSequence;
      out.observedGeneration = status.observedGeneration;
    }
    return out;
  }
}
