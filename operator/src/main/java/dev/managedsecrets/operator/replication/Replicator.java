package dev.managedsecrets.operator.replication;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplicaSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.core.replication.ReplicaBinding;
import dev.managedsecrets.core.replication.ReplicaPayload;
import dev.managedsecrets.core.replication.ReplicaSeal;
import dev.managedsecrets.core.replication.ReplicaSealException;
import dev.managedsecrets.core.replication.ReplicaVersion;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.operator.cache.Caches;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.sealing.SealingKeys;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary side of replication: keeps a {@link ManagedSecretReplica} in each region of a
 * ManagedSecret's {@code spec.replicaRegions}, in the same namespace of that region's cluster,
 * holding the secret's labelled versions sealed for that region's operator and authenticated as
 * this one's ({@link ReplicaSeal}). The work runs on a few threads per region, never on a reconcile
 * thread: a region that is slow or down delays only its own replicas. What each region reports is
 * kept here and shown by the reconcile in {@code status.replicationStatus}; a change of it
 * reconciles the ManagedSecret again ({@code changed}).
 *
 * <p>A replica already holding what the primary holds (the annotation {@value #SOURCE_DIGEST}: a
 * digest of the record's labelled versions, by their keyed value hashes, and of what the replica
 * projects) is not written again, and nothing is decrypted for it.
 */
public final class Replicator implements AutoCloseable {

  /** The digest of what a replica was last written from. */
  public static final String SOURCE_DIGEST = "managedsecrets.dev/source-digest";

  /** How the watch's cache marks a sealed payload it keeps only as a digest. */
  private static final String PAYLOAD_DIGEST = "sha256:";

  public static final String IN_PROGRESS = "InProgress";
  public static final String IN_SYNC = "InSync";
  public static final String FAILED = "Failed";

  private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

  /** The first look at a replica's status after it was written; doubled up to {@link #MAX_WAIT}. */
  static final Duration FIRST_WAIT = Duration.ofMillis(200);

  static final Duration MAX_WAIT = Duration.ofSeconds(30);

  /**
   * Replicas of one region written at the same time: each write waits on the region's API server
   * and the store, so a few in flight keep up with a primary changing many secrets at once.
   */
  static final int THREADS_PER_REGION = 4;

  /** How soon a job whose ManagedSecret is being replicated to the same region looks again. */
  static final Duration BUSY_WAIT = Duration.ofMillis(50);

  /** What one region reports for one ManagedSecret. */
  public record State(String status, String message, String digest) {}

  /** One ManagedSecret in one region, as the last reconcile saw it. */
  private record Job(String region, ManagedSecret ms, StoredSecret record, String digest) {}

  private final PeerClients peers;
  private final PeerKeys peerKeys;
  private final SealingKeys own;
  private final SecretsManagerService secrets;
  private final String region;
  private final Clock clock;
  private final BiConsumer<String, String> changed;
  private final AtomicLong sequence = new AtomicLong();

  /**
   * The regions whose last attempt found them unreachable, with the message: a new ManagedSecret
   * shows it at once, so its status is written once rather than InProgress and then Failed.
   */
  private final Map<String, String> down = new ConcurrentHashMap<>();

  /** By ManagedSecret uid, then region. */
  private final Map<String, Map<String, State>> states = new ConcurrentHashMap<>();

  /** The newest job of each ManagedSecret and region not run yet: later ones replace it. */
  private final Map<String, Job> pending = new ConcurrentHashMap<>();

  private final Map<String, Duration> waits = new ConcurrentHashMap<>();

  /** The ManagedSecret and region pairs being replicated now. */
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  /** The digest of the payload text this operator last wrote into each replica. */
  private final Map<String, String> written = new ConcurrentHashMap<>();

  /** The newest job of each region and namespace/name, for what the region's watch reports. */
  private final Map<String, Job> latest = new ConcurrentHashMap<>();

  /** The watches of the replicas in each region (started with the first replica there). */
  private final Map<String, SharedIndexInformer<ManagedSecretReplica>> watches =
      new ConcurrentHashMap<>();

  private final Map<String, ScheduledExecutorService> workers = new ConcurrentHashMap<>();

  public Replicator(
      PeerClients peers,
      PeerKeys peerKeys,
      SealingKeys own,
      SecretsManagerService secrets,
      String region,
      Clock clock,
      BiConsumer<String, String> changed) {
    this.peers = peers;
    this.peerKeys = peerKeys;
    this.own = own;
    this.secrets = secrets;
    this.region = region;
    this.clock = clock;
    this.changed = changed;
  }

  /**
   * Replicates {@code ms}, whose store record is {@code record}, to each of its regions, and
   * removes it from regions it no longer lists (those its status shows). Returns at once.
   */
  public void replicate(ManagedSecret ms, StoredSecret record) {
    String uid = ms.getMetadata().getUid();
    Map<String, State> known = states.getOrDefault(uid, Map.of());
    Set<String> wanted = new LinkedHashSet<>();
    for (ReplicaRegion r : regions(ms)) {
      wanted.add(r.region);
      String digest = digest(ms, record, r);
      State state = known.get(r.region);
      if (state != null && digest.equals(state.digest()) && !IN_PROGRESS.equals(state.status())) {
        continue; // in sync, or failed for a reason a new attempt would not change
      }
      submit(new Job(r.region, ms, record, digest), Duration.ZERO);
    }
    Set<String> shown = new LinkedHashSet<>(known.keySet());
    if (ms.getStatus() != null && ms.getStatus().replicationStatus != null) {
      ms.getStatus().replicationStatus.forEach(s -> shown.add(s.region));
    }
    for (String gone : shown) {
      if (!wanted.contains(gone)) {
        submit(new Job(gone, ms, record, null), Duration.ZERO);
      }
    }
  }

  /** What each region of {@code ms} reports now, as {@code status.replicationStatus} shows it. */
  public List<ReplicationStatus> status(ManagedSecret ms) {
    Map<String, State> known = states.getOrDefault(ms.getMetadata().getUid(), Map.of());
    List<ReplicationStatus> out = new ArrayList<>();
    for (ReplicaRegion r : regions(ms)) {
      State s = known.get(r.region);
      ReplicationStatus rs = new ReplicationStatus();
      rs.region = r.region;
      rs.kmsKeyId = r.kmsKeyId;
      String regionDown = down.get(r.region);
      rs.status = s != null ? s.status() : regionDown != null ? FAILED : IN_PROGRESS;
      rs.statusMessage = s != null ? s.message() : shown(r.region);
      out.add(rs);
    }
    return out.isEmpty() ? null : out;
  }

  /** What a ManagedSecret the region has no state for yet shows. */
  private String shown(String r) {
    String regionDown = down.get(r);
    return regionDown != null ? regionDown : "Replication in progress.";
  }

  /**
   * Removes the replicas of {@code ms} from every region it lists or shows, now, on the calling
   * thread (its deletion waits for this).
   *
   * @return the regions whose replica could not be removed, with why
   */
  public Map<String, String> removeAll(ManagedSecret ms) {
    Set<String> all = new LinkedHashSet<>();
    regions(ms).forEach(r -> all.add(r.region));
    if (ms.getStatus() != null && ms.getStatus().replicationStatus != null) {
      ms.getStatus().replicationStatus.forEach(s -> all.add(s.region));
    }
    Map<String, String> failed = new LinkedHashMap<>();
    for (String r : all) {
      // Not made again when the region's watch reports it gone.
      latest.remove(place(r, ms.getMetadata().getNamespace(), ms.getMetadata().getName()));
      pending.remove(ms.getMetadata().getUid() + "/" + r);
      try {
        remove(r, ms);
      } catch (RuntimeException e) {
        failed.put(r, unreachable(r, e));
      }
    }
    if (failed.isEmpty()) {
      states.remove(ms.getMetadata().getUid());
    }
    return failed;
  }

  private static List<ReplicaRegion> regions(ManagedSecret ms) {
    return ms.getSpec() == null || ms.getSpec().replicaRegions == null
        ? List.of()
        : ms.getSpec().replicaRegions;
  }

  private void submit(Job job, Duration after) {
    String key = job.ms().getMetadata().getUid() + "/" + job.region();
    String place =
        place(
            job.region(), job.ms().getMetadata().getNamespace(), job.ms().getMetadata().getName());
    if (job.digest() == null) {
      latest.remove(place);
    } else {
      latest.put(place, job);
      watch(job.region());
    }
    pending.put(key, job);
    schedule(job.region(), key, after);
  }

  /**
   * Looks at {@code job} again after {@code after}, unless a newer job of the same ManagedSecret
   * and region is pending already (it runs instead: an older view is never sent after a newer one).
   */
  private void recheck(String key, Job job, Duration after) {
    if (pending.putIfAbsent(key, job) == null) {
      schedule(job.region(), key, after);
    }
  }

  /**
   * Runs the pending job of {@code key} after {@code after} on the region's threads; never two of
   * one ManagedSecret and region at once (a run that finds one in flight comes back shortly), so
   * the replica is written in the order the primary changed.
   */
  private void schedule(String region, String key, Duration after) {
    worker(region)
        .schedule(
            () -> {
              if (!running.add(key)) {
                schedule(region, key, BUSY_WAIT);
                return;
              }
              try {
                Job next = pending.remove(key);
                if (next != null) {
                  run(key, next);
                }
              } finally {
                running.remove(key);
              }
            },
            after.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private static String place(String region, String namespace, String name) {
    return region + "/" + namespace + "/" + name;
  }

  /**
   * Watches the replicas in region {@code r}: one that its region deleted (promoted, or removed by
   * hand) or whose status changed is looked at again, so the primary shows it without waiting for
   * its own next change. A region that can't be reached is watched again by the informer itself.
   */
  private void watch(String r) {
    if (watches.containsKey(r)) {
      return;
    }
    synchronized (watches) {
      if (watches.containsKey(r)) {
        return;
      }
      PeerClients.Peer peer;
      try {
        peer = peers.peer(r);
      } catch (PeerClients.PeerUnavailable e) {
        return; // reported by the job; watched once the peer can be used
      }
      SharedIndexInformer<ManagedSecretReplica> informer =
          peer.client().resources(ManagedSecretReplica.class).inAnyNamespace().runnableInformer(0);
      informer.itemStore(Caches.compactAfter(Replicator::withoutPayload));
      informer.addEventHandler(
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(ManagedSecretReplica replica) {}

            @Override
            public void onUpdate(ManagedSecretReplica before, ManagedSecretReplica after) {
              if (!java.util.Objects.equals(before.getStatus(), after.getStatus())) {
                reported(r, after);
              }
              if (!fingerprint(before).equals(fingerprint(after)) || failed(after)) {
                // Changed by another writer, or refused there: the worker looks again.
                resubmit(r, after);
              }
            }

            @Override
            public void onDelete(ManagedSecretReplica replica, boolean unknown) {
              resubmit(r, replica);
            }
          });
      informer.exceptionHandler((started, t) -> true);
      informer.start();
      watches.put(r, informer);
    }
  }

  /** The replica's primary is looked at again by the region's worker. */
  private void resubmit(String r, ManagedSecretReplica replica) {
    Job job =
        latest.get(place(r, replica.getMetadata().getNamespace(), replica.getMetadata().getName()));
    if (job != null) {
      Map<String, State> known = states.get(job.ms().getMetadata().getUid());
      if (known != null) {
        known.remove(r);
      }
      submit(job, Duration.ZERO);
    }
  }

  private static String sealed(ManagedSecretReplica replica) {
    return replica.getSpec() == null ? null : replica.getSpec().sealed;
  }

  /**
   * The replica as the watch keeps it: the sealed payload (up to a megabyte per replica) stands in
   * the cache only as its digest, since the watch compares payloads and never reads one.
   */
  static ManagedSecretReplica withoutPayload(ManagedSecretReplica replica) {
    if (replica.getSpec() == null || replica.getSpec().sealed == null) {
      return replica;
    }
    ManagedSecretReplicaSpec spec = new ManagedSecretReplicaSpec();
    spec.primaryRegion = replica.getSpec().primaryRegion;
    spec.primaryArn = replica.getSpec().primaryArn;
    spec.forceOverwrite = replica.getSpec().forceOverwrite;
    spec.sealed = fingerprint(replica);
    ManagedSecretReplica kept = new ManagedSecretReplica();
    kept.setMetadata(replica.getMetadata());
    kept.setSpec(spec);
    kept.setStatus(replica.getStatus());
    return kept;
  }

  /**
   * The digest of a replica's sealed payload, whether the replica is whole or as the watch keeps
   * it.
   */
  static String fingerprint(ManagedSecretReplica replica) {
    String sealed = sealed(replica);
    return sealed != null && sealed.startsWith(PAYLOAD_DIGEST)
        ? sealed
        : PAYLOAD_DIGEST + sha256(sealed);
  }

  private static boolean failed(ManagedSecretReplica replica) {
    return replica.getStatus() != null
        && replica.getStatus().conditions != null
        && replica.getStatus().conditions.stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "False".equals(c.getStatus()));
  }

  /** A replica's status changed in its region: shown as the primary's state for it. */
  private void reported(String r, ManagedSecretReplica replica) {
    Job job =
        latest.get(place(r, replica.getMetadata().getNamespace(), replica.getMetadata().getName()));
    if (job == null
        || replica.getSpec() == null
        || !job.record().arn().equals(replica.getSpec().primaryArn)) {
      return;
    }
    State state = reported(replica, job.digest());
    Map<String, State> known =
        states.computeIfAbsent(job.ms().getMetadata().getUid(), u -> new ConcurrentHashMap<>());
    if (!state.equals(known.put(r, state))) {
      changed.accept(job.ms().getMetadata().getNamespace(), job.ms().getMetadata().getName());
    }
  }

  private ScheduledExecutorService worker(String r) {
    return workers.computeIfAbsent(
        r,
        name ->
            Executors.newScheduledThreadPool(
                THREADS_PER_REGION,
                t -> {
                  Thread thread = new Thread(t, "managedsecret-replication-" + name);
                  thread.setDaemon(true);
                  return thread;
                }));
  }

  private void run(String key, Job job) {
    ManagedSecret ms = job.ms();
    State state;
    try {
      if (job.digest() == null) {
        remove(job.region(), ms);
        Map<String, State> known = states.get(ms.getMetadata().getUid());
        if (known != null && known.remove(job.region()) != null) {
          changed.accept(ms.getMetadata().getNamespace(), ms.getMetadata().getName());
        }
        return;
      }
      state = push(job);
      down.remove(job.region());
    } catch (PeerClients.PeerUnavailable e) {
      state = new State(FAILED, "Replication failed: " + e.getMessage(), job.digest());
      down.put(job.region(), state.message());
    } catch (KubernetesClientException e) {
      state =
          new State(FAILED, "Replication failed: " + unreachable(job.region(), e), job.digest());
      down.put(job.region(), state.message());
    } catch (ReplicaSealException | SecretsManagerException e) {
      state = new State(FAILED, "Replication failed: " + e.getMessage(), job.digest());
    } catch (RuntimeException e) {
      LOG.warn(
          "Replication of ManagedSecret {}/{} to region {} failed unexpectedly",
          ms.getMetadata().getNamespace(),
          ms.getMetadata().getName(),
          job.region(),
          e);
      state = new State(FAILED, "Replication failed: an internal error.", job.digest());
    }
    Map<String, State> known =
        states.computeIfAbsent(ms.getMetadata().getUid(), u -> new ConcurrentHashMap<>());
    State before = known.put(job.region(), state);
    if (before == null
        || !state.status().equals(before.status())
        || !state.message().equals(before.message())) {
      changed.accept(ms.getMetadata().getNamespace(), ms.getMetadata().getName());
    }
    if (IN_SYNC.equals(state.status())) {
      waits.remove(key);
      return;
    }
    // Looked at again: a replica being applied soon, a failure with back-off.
    Duration wait = waits.getOrDefault(key, FIRST_WAIT);
    waits.put(key, wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2));
    recheck(key, job, wait);
  }

  /** Writes the replica unless it holds this digest already; then reads what the region reports. */
  private State push(Job job) {
    ManagedSecret ms = job.ms();
    PeerClients.Peer peer = peers.peer(job.region());
    var resource =
        peer.client()
            .resources(ManagedSecretReplica.class)
            .inNamespace(ms.getMetadata().getNamespace())
            .withName(ms.getMetadata().getName());
    ManagedSecretReplica existing = resource.get();
    String arn = job.record().arn();
    boolean force = Boolean.TRUE.equals(ms.getSpec().forceOverwriteReplicaSecret);
    if (existing != null
        && existing.getSpec() != null
        && !arn.equals(existing.getSpec().primaryArn)
        && !force) {
      return new State(
          FAILED,
          "Replication failed: Secret with this name already exists in this region.",
          job.digest());
    }
    String written =
        existing == null || existing.getMetadata().getAnnotations() == null
            ? null
            : existing.getMetadata().getAnnotations().get(SOURCE_DIGEST);
    String place = place(job.region(), ms.getMetadata().getNamespace(), ms.getMetadata().getName());
    String mine = this.written.get(place);
    boolean untouched = mine == null || (existing != null && mine.equals(sha256(sealed(existing))));
    if (existing != null && job.digest().equals(written) && untouched) {
      return reported(existing, job.digest());
    }
    ManagedSecretReplica replica = new ManagedSecretReplica();
    replica.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(ms.getMetadata().getNamespace())
            .withName(ms.getMetadata().getName())
            .withAnnotations(Map.of(SOURCE_DIGEST, job.digest()))
            .build());
    ManagedSecretReplicaSpec spec = new ManagedSecretReplicaSpec();
    spec.primaryRegion = region;
    spec.primaryArn = arn;
    spec.forceOverwrite = force ? Boolean.TRUE : null;
    spec.sealed = seal(job);
    replica.setSpec(spec);
    ManagedSecretReplica applied;
    if (existing == null) {
      applied = peer.client().resource(replica).create();
    } else {
      replica.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      replica.getMetadata().setFinalizers(existing.getMetadata().getFinalizers());
      applied = peer.client().resource(replica).update();
    }
    this.written.put(place, sha256(spec.sealed));
    return reported(applied, job.digest());
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(String.valueOf(text).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the region's operator reports in the replica's status for its current spec. */
  private static State reported(ManagedSecretReplica replica, String digest) {
    var status = replica.getStatus();
    Condition ready = null;
    if (status != null && status.conditions != null) {
      ready =
          status.conditions.stream()
              .filter(c -> "Ready".equals(c.getType()))
              .findFirst()
              .orElse(null);
    }
    Long generation = replica.getMetadata().getGeneration();
    boolean current =
        ready != null
            && status.observedGeneration != null
            && status.observedGeneration.equals(generation);
    if (!current) {
      return new State(IN_PROGRESS, "Replication in progress.", digest);
    }
    if ("True".equals(ready.getStatus())) {
      return new State(IN_SYNC, "Replication succeeded.", digest);
    }
    return new State(FAILED, "Replication failed: " + ready.getMessage(), digest);
  }

  private String seal(Job job) {
    ManagedSecret ms = job.ms();
    List<ReplicaVersion> versions = new ArrayList<>();
    try {
      for (StoredVersion v : job.record().versions()) {
        if (v.stages().isEmpty()) {
          continue;
        }
        SecretValue value = secrets.read(job.record(), v);
        versions.add(
            new ReplicaVersion(
                v.versionId(), v.stages(), v.createdDate(), value.bytes(), value.binary()));
      }
      ReplicaPayload payload =
          new ReplicaPayload(
              new ReplicaBinding(
                  region,
                  job.region(),
                  ms.getMetadata().getNamespace(),
                  ms.getMetadata().getName()),
              job.record().arn(),
              nextSequence(),
              ms.getSpec().description,
              tags(ms),
              projection(ms, job.region()),
              versions);
      SealingPublicKey recipient = peerKeys.current(job.region());
      SealingPublicKey sender =
          own.currentPublicKey()
              .orElseThrow(
                  () -> new PeerClients.PeerUnavailable("This operator has no sealing key yet."));
      SealingPrivateKey key = own.privateKey(sender.keyId());
      return ReplicaSeal.seal(payload, key, recipient);
    } finally {
      versions.forEach(ReplicaVersion::clear);
    }
  }

  /** The settings a replica projects with: the replica's key in its region, and the target. */
  static String projection(ManagedSecret ms, String replicaRegion) {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.secretName = ms.getSpec().secretName;
    spec.target = ms.getSpec().target;
    for (ReplicaRegion r : regions(ms)) {
      if (replicaRegion.equals(r.region)) {
        spec.kmsKeyId = r.kmsKeyId;
      }
    }
    return Serialization.asJson(spec);
  }

  private static Map<String, String> tags(ManagedSecret ms) {
    Map<String, String> out = new LinkedHashMap<>();
    if (ms.getSpec().tags != null) {
      for (Tag t : ms.getSpec().tags) {
        out.put(t.key, t.value);
      }
    }
    return out;
  }

  private long nextSequence() {
    long now = clock.millis();
    return sequence.updateAndGet(last -> Math.max(last + 1, now));
  }

  /**
   * The digest of what a replica in {@code r} holds: the ARN, the labelled versions by id, labels,
   * dates and keyed value hash, and what the replica projects. No value, and no key name, enters it
   * except through the keyed hashes and the target's settings the primary shows anyway.
   */
  static String digest(ManagedSecret ms, StoredSecret record, ReplicaRegion r) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      StringBuilder s = new StringBuilder();
      s.append(record.arn()).append('\n');
      for (StoredVersion v : record.versions()) {
        if (!v.stages().isEmpty()) {
          s.append(v.versionId())
              .append(' ')
              .append(v.stages())
              .append(' ')
              .append(v.createdDate())
              .append(' ')
              .append(v.valueHash())
              .append('\n');
        }
      }
      s.append(ms.getSpec().description).append('\n');
      s.append(tags(ms)).append('\n');
      s.append(projection(ms, r.region)).append('\n');
      s.append(ms.getSpec().forceOverwriteReplicaSecret).append('\n');
      return HexFormat.of().formatHex(sha.digest(s.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void remove(String r, ManagedSecret ms) {
    PeerClients.Peer peer = peers.peer(r);
    var resource =
        peer.client()
            .resources(ManagedSecretReplica.class)
            .inNamespace(ms.getMetadata().getNamespace())
            .withName(ms.getMetadata().getName());
    ManagedSecretReplica existing = resource.get();
    String arn = ms.getStatus() == null ? null : ms.getStatus().arn;
    if (existing != null
        && existing.getSpec() != null
        && (arn == null || arn.equals(existing.getSpec().primaryArn))) {
      resource.delete();
    }
  }

  private static String unreachable(String r, RuntimeException e) {
    if (e instanceof PeerClients.PeerUnavailable) {
      return e.getMessage();
    }
    String why =
        e instanceof KubernetesClientException k && k.getCode() > 0
            ? "its API server answered HTTP " + k.getCode()
            : "its API server can't be reached";
    return "Region " + r + " can't be reached (" + why + ").";
  }

  @Override
  public void close() {
    watches.values().forEach(SharedIndexInformer::stop);
    watches.clear();
    workers.values().forEach(ScheduledExecutorService::shutdownNow);
    workers.clear();
  }
}
