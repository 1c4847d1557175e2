package dev.managedsecrets.operator.manager;

import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.RecordMac;
import dev.managedsecrets.core.generate.Issuers;
import dev.managedsecrets.core.replication.ReplicaVersion;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.Incarnations;
import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.secret.Versions;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.operator.store.AuthenticatedSecretStore;
import dev.managedsecrets.operator.store.SecretStore;
import dev.managedsecrets.operator.store.StoreConflictException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations of Secrets Manager on a store and a KMS: claim a name, put a value, read a
 * version, schedule deletion, purge. It knows nothing of Kubernetes objects. The store is
 * untrusted: its records are authenticated ({@link AuthenticatedSecretStore}), checked against the
 * freshness anchor kept outside it ({@link Anchor}), and every version is bound to its record
 * ({@link EnvelopeCipher}).
 */
public final class SecretsManagerService {

  private static final Logger LOG = LoggerFactory.getLogger(SecretsManagerService.class);

  /** What claiming a name did. */
  public enum Claim {
    EXISTING,
    CREATED,
    RESTORED
  }

  /**
   * A claimed record and how it was claimed; {@code before}: the record as it was found, for a
   * restore (null otherwise), so that {@link #withdraw} can put it back.
   */
  public record Claimed(StoredSecret secret, Claim claim, StoredSecret before) {
    Claimed(StoredSecret secret, Claim claim) {
      this(secret, claim, null);
    }
  }

  /** A new AWSCURRENT version: the record after the write and the plaintext it holds. */
  public record Put(StoredSecret secret, StoredVersion version, SecretValue value) {}

  /**
   * The freshness anchor of a ManagedSecret's record, kept outside the store (in the
   * ManagedSecret's status, which only the operator writes): the ARN and sequence number of its
   * record when the operator last wrote or read it. A record of that ARN older than that is an
   * authentic record replayed (a store rolled back, an old copy written back) and is refused.
   * {@link #NONE}: nothing known yet (a new ManagedSecret, or a status written before records had a
   * sequence, or lost).
   */
  public record Anchor(String arn, long sequence) {
    public static final Anchor NONE = new Anchor(null, 0);

    boolean covers(StoredSecret record) {
      return arn != null && sequence > 0 && arn.equals(record.arn());
    }
  }

  private final SecretStore store;
  private final EnvelopeCipher cipher;
  private final ValueAssembler values;
  private final Arns arns;
  private final Clock clock;
  private final Reencryption reencryption;
  private final NamespaceQuota quota;
  private final EnvelopeCache envelopes;

  /** A service without a bound on what a namespace keeps ({@link NamespaceQuota#NONE}). */
  public SecretsManagerService(
      SecretStore store,
      RecordMac records,
      EnvelopeCipher cipher,
      ValueAssembler values,
      Arns arns,
      Clock clock) {
    this(store, records, cipher, values, arns, clock, NamespaceQuota.NONE, EnvelopeCache.NONE);
  }

  /**
   * @param records the MAC of the store's records, keyed from the keyring: the store holds records
   *     this service authenticates on every read and write
   * @param quota what a namespace may keep
   * @param envelopes where the envelopes read are kept (ciphertext only), so that a version read
   *     again costs no store read ({@link EnvelopeCache#NONE}: none are)
   */
  public SecretsManagerService(
      SecretStore store,
      RecordMac records,
      EnvelopeCipher cipher,
      ValueAssembler values,
      Arns arns,
      Clock clock,
      NamespaceQuota quota,
      EnvelopeCache envelopes) {
    this.envelopes = envelopes;
    this.store = new AuthenticatedSecretStore(store, records);
    this.cipher = cipher;
    this.values = values;
    this.arns = arns;
    this.clock = clock;
    this.reencryption = new Reencryption(this.store, cipher);
    this.quota = quota;
  }

  /** Every record stored under the name, whatever namespace incarnation holds it. */
  public List<StoredSecret> findByName(SecretId id) {
    return store.findByName(id);
  }

  /** As {@link #findByName}, for reads of values: see {@link SecretStore#findByNameToRead}. */
  public List<StoredSecret> findByNameToRead(SecretId id) {
    return store.findByNameToRead(id);
  }

  /**
   * The record of {@code secret} as the store holds it now: another writer (the Secrets Manager
   * endpoint, for a rotation function) may have changed it since it was read.
   *
   * @throws SecretsManagerException ResourceNotFoundException when it is gone, or another secret
   *     holds its id now
   */
  public StoredSecret reread(StoredSecret secret) {
    return store
        .find(secret.id())
        .filter(r -> r.arn().equals(secret.arn()))
        .orElseThrow(
            () ->
                new SecretsManagerException(
                    AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
                    "Secrets Manager can't find the specified secret."));
  }

  /**
   * Takes the name for a ManagedSecret: confirms the record it holds, takes the record its
   * namespace incarnation holds (restoring one scheduled for deletion: same ARN, same versions), or
   * creates a record with a new ARN. Records of other incarnations of the namespace (one deleted
   * and made again under the same name) are never taken: they stay as they are until their recovery
   * window ends, or an administrator re-binds them. A name held by another ManagedSecret of the
   * namespace is refused with AWS's ResourceExistsException.
   *
   * @param namespaceUid the uid of the namespace incarnation that holds the ManagedSecret, asked
   *     only when the ManagedSecret does not hold its record already
   * @param likelyNew the ManagedSecret has never been claimed (no ARN in its status): the record is
   *     created at once and the name read only when that is refused, which saves a store read on
   *     every new secret
   */
  public Claimed claim(
      SecretId id,
      String ownerName,
      String ownerUid,
      Supplier<String> namespaceUid,
      boolean likelyNew) {
    return claim(id, ownerName, ownerUid, namespaceUid, likelyNew, Anchor.NONE);
  }

  /**
   * Takes the name as {@link #claim(SecretId, String, String, Supplier, boolean)} does, and refuses
   * with DecryptionFailure a record older than {@code anchor} says the operator last wrote (or one
   * without a MAC, once the anchor says it had one): nothing of it is served or changed. A record
   * written before records carried a MAC, which no anchor covers, is accepted once and given its
   * MAC at once.
   */
  public Claimed claim(
      SecretId id,
      String ownerName,
      String ownerUid,
      Supplier<String> namespaceUid,
      boolean likelyNew,
      Anchor anchor) {
    return claim(id, ownerName, ownerUid, namespaceUid, likelyNew, anchor, false);
  }

  /**
   * As {@link #claim(SecretId, String, String, Supplier, boolean, Anchor)}; with {@code defer}, a
   * likely new secret's record is not created yet but returned unstored (no revision): the first
   * version written creates it with that version in one write ({@link
   * SecretStore#createWithVersion}), else {@link #persist} does. A name taken meanwhile is refused
   * then (StoreConflictException), and the next claim, not likely new, reads it.
   */
  public Claimed claim(
      SecretId id,
      String ownerName,
      String ownerUid,
      Supplier<String> namespaceUid,
      boolean likelyNew,
      Anchor anchor,
      boolean defer) {
    if (likelyNew && defer) {
      return new Claimed(newRecord(id.in(namespaceUid.get()), ownerName, ownerUid), Claim.CREATED);
    }
    if (likelyNew) {
      try {
        return new Claimed(
            store.create(newRecord(id.in(namespaceUid.get()), ownerName, ownerUid)), Claim.CREATED);
      } catch (StoreConflictException exists) {
        // A record the incarnation may claim holds the name (ours from before, one in its
        // recovery window, one made before incarnations, or another ManagedSecret's): decide as
        // for any claim.
      }
    }
    List<StoredSecret> records = store.findByName(id);
    Optional<StoredSecret> found = Incarnations.ownedBy(records, ownerUid);
    String incarnation = null;
    if (found.isEmpty() || found.get().namespaceUid() == null) {
      incarnation = namespaceUid.get();
      found = found.isPresent() ? found : Incarnations.claimable(records, incarnation);
    }
    if (found.isEmpty()) {
      return new Claimed(
          store.create(newRecord(id.in(incarnation), ownerName, ownerUid)), Claim.CREATED);
    }
    StoredSecret secret = found.get();
    requireFresh(secret, anchor);
    // A record made before incarnations were recorded: the first incarnation to claim it takes it.
    StoredSecret taken = incarnation == null ? secret : secret.withNamespaceUid(incarnation);
    if (secret.scheduledForDeletion()) {
      StoredSecret restored = store.update(taken.restored().withOwner(ownerName, ownerUid));
      return new Claimed(restored, Claim.RESTORED, secret);
    }
    if (ownerUid.equals(secret.ownerUid())) {
      // A record written before records carried a MAC gets one now (the write seals it).
      boolean unchanged = taken == secret && secret.authenticated();
      return new Claimed(unchanged ? secret : store.update(taken), Claim.EXISTING);
    }
    if (ownerName.equals(secret.ownerName())) {
      // The same ManagedSecret re-created while its record stayed live (its finalizer was removed
      // by hand): same incarnation, same name, so the same owner.
      return new Claimed(store.update(taken.withOwner(ownerName, ownerUid)), Claim.EXISTING);
    }
    throw new SecretsManagerException(
        AwsError.RESOURCE_EXISTS_EXCEPTION,
        "The operation failed because the secret "
            + id.name()
            + " already exists. It belongs to ManagedSecret "
            + secret.ownerName()
            + " in this namespace.");
  }

  /** The record, created in the store if a deferred claim left it unstored. */
  public StoredSecret persist(StoredSecret secret) {
    return secret.revision() != null ? secret : store.create(secret);
  }

  /**
   * Refuses a record that is older than the anchor says, or that lost the MAC the anchor says it
   * had: an authentic record replayed, or a record stripped of its MAC, by a writer of the store.
   */
  private static void requireFresh(StoredSecret record, Anchor anchor) {
    if (!anchor.covers(record)) {
      return;
    }
    if (!record.authenticated()) {
      throw stale(
          record,
          "carries no integrity check, though the operator gave it one (sequence "
              + anchor.sequence()
              + ")");
    }
    if (record.sequence() < anchor.sequence()) {
      throw stale(
          record,
          "is older than the operator last wrote it (sequence "
              + record.sequence()
              + "; the operator last wrote sequence "
              + anchor.sequence()
              + ")");
    }
  }

  private static SecretsManagerException stale(StoredSecret record, String what) {
    return new SecretsManagerException(
        AwsError.DECRYPTION_FAILURE,
        "The stored record of secret "
            + record.id().name()
            + " "
            + what
            + ": the store was rolled back, or an old copy of the record was written back."
            + " Nothing of it is served or changed. If an administrator restored the store from a"
            + " backup on purpose, accept the restored records with the operator's command"
            + " `rebind --accept-restored` (docs/STORES.md#restoring-a-backup-over-newer-records).");
  }

  private StoredSecret newRecord(SecretId id, String ownerName, String ownerUid) {
    return StoredSecret.create(
        id, arns.newSecretArn(id.name()), ownerName, ownerUid, clock.instant());
  }

  /**
   * Creates a version from the inputs and makes it AWSCURRENT. The ciphertext is durable in the
   * store before the record points at it. A version that would take its namespace past the
   * namespace's quota is refused (LimitExceededException), after retention's removals are counted.
   * The record remembers {@code spec}, the generation of the spec the inputs come from; a later
   * generation of the same ManagedSecret having written it already, nothing is written ({@link
   * StaleSpecException}): the inputs are from a view that is behind.
   *
   * @param token the client request token, or null for a new UUID
   * @param spec the ManagedSecret and generation of the spec the inputs come from (null: not known)
   */
  public Put putValue(
      StoredSecret secret,
      ValueInput input,
      String inputHash,
      String keyArn,
      String token,
      SpecGeneration spec) {
    return putValue(secret, input, inputHash, keyArn, token, null, spec);
  }

  /**
   * Creates a version from the inputs with the staging labels {@code stages} (PutSecretValue's
   * VersionStages; null or empty: AWSCURRENT), as {@link #putValue(StoredSecret, ValueInput,
   * String, String, String, SpecGeneration)} does otherwise. A write that no spec drives (the
   * Secrets Manager endpoint's, into a value the store owns) passes a null {@code spec}: the record
   * keeps the generation it has, and nothing is compared with it.
   */
  public Put putValue(
      StoredSecret secret,
      ValueInput input,
      String inputHash,
      String keyArn,
      String token,
      List<String> stages,
      SpecGeneration spec) {
    return putValue(secret, input, inputHash, keyArn, token, stages, spec, Issuers.NONE);
  }

  /**
   * Creates a version from the inputs, as {@link #putValue(StoredSecret, ValueInput, String,
   * String, String, List, SpecGeneration)} does, the CA of a generated certificate that names an
   * issuer found in {@code issuers}. Generated keys are kept from AWSCURRENT while their parameters
   * are the same and no certificate among them is due for renewal.
   */
  public Put putValue(
      StoredSecret secret,
      ValueInput input,
      String inputHash,
      String keyArn,
      String token,
      List<String> stages,
      SpecGeneration spec,
      Issuers issuers) {
    if (secret.scheduledForDeletion()) {
      throw new SecretsManagerException(
          AwsError.INVALID_REQUEST_EXCEPTION,
          "You can't perform this operation on the secret because it was marked for deletion.");
    }
    StaleSpecException.requireCurrent(secret, spec);
    Optional<StoredVersion> current = secret.current();
    SecretValue previous = null;
    Map<String, String> previousGenerated = current.map(StoredVersion::generated).orElse(Map.of());
    if (current.isPresent() && !previousGenerated.isEmpty()) {
      previous = read(secret, current.get());
    }
    ValueAssembler.Assembled assembled =
        values.assemble(input, previous, previousGenerated, issuers);
    SecretValue value = assembled.value();
    if (previous != null && previous != value) {
      previous.clear();
    }
    String valueHash = values.valueHash(secret.id(), value);
    if (token != null) {
      Optional<StoredVersion> same = secret.version(token);
      if (same.isPresent()) {
        if (same.get().valueHash().equals(valueHash)) {
          return new Put(secret, same.get(), value);
        }
        throw new SecretsManagerException(
            AwsError.RESOURCE_EXISTS_EXCEPTION,
            "You can't use ClientRequestToken "
                + token
                + " because that value is already in use for a version of secret "
                + secret.arn()
                + ".");
      }
    }
    String versionId = token != null ? token : UUID.randomUUID().toString();
    return add(
        secret,
        value,
        new StoredVersion(
            versionId,
            clock.instant(),
            List.of(),
            keyArn,
            valueHash,
            inputHash,
            assembled.generated()),
        stages,
        spec);
  }

  /**
   * Rotation's createSecret: a new version of {@code value} labelled AWSPENDING whose VersionId is
   * the rotation's {@code token}. It was made from the same inputs as {@code current} (only the
   * keys the operator generates changed), so it records {@code current}'s input and generated-key
   * hashes: change detection sees no change of the spec once it is AWSCURRENT. AWSCURRENT stays
   * where it is.
   */
  public Put putPending(
      StoredSecret secret, StoredVersion current, SecretValue value, String keyArn, String token) {
    if (secret.scheduledForDeletion()) {
      throw new SecretsManagerException(
          AwsError.INVALID_REQUEST_EXCEPTION,
          "You can't perform this operation on the secret because it was marked for deletion.");
    }
    StoredVersion pending =
        new StoredVersion(
            token,
            clock.instant(),
            List.of(),
            keyArn,
            values.valueHash(secret.id(), value),
            current.inputHash(),
            values.rotatedGenerated(current.generated(), value));
    return add(secret, value, pending, List.of(StagingLabels.AWSPENDING), null);
  }

  /**
   * Rotation's finishSecret: AWSCURRENT moves to the version {@code token} (AWSPREVIOUS follows to
   * the version it leaves) and AWSPENDING is removed from it. The record is written once.
   */
  public StoredSecret finishRotation(StoredSecret secret, String token) {
    String current = secret.current().map(StoredVersion::versionId).orElse(null);
    StoredSecret moved =
        Versions.moveLabel(secret, StagingLabels.AWSCURRENT, token, current, false);
    moved = Versions.updateStage(moved, StagingLabels.AWSPENDING, null, token);
    return write(secret, moved, null);
  }

  /** Stores {@code created} holding {@code value}, with {@code stages}; see {@link #putValue}. */
  private Put add(
      StoredSecret secret,
      SecretValue value,
      StoredVersion created,
      List<String> stages,
      SpecGeneration spec) {
    Versions.checkVersionQuota(secret, clock.instant());
    String versionId = created.versionId();
    String keyArn = created.kmsKeyArn();
    byte[] envelope =
        cipher.seal(
            keyArn,
            EncryptionContext.forVersion(secret.arn(), versionId),
            secret.id(),
            value.encode());
    Instant now = clock.instant();
    Versions.Added added = Versions.add(secret, created, stages, now);
    long removedBytes = added.removed().stream().mapToLong(StoredVersion::envelopeSize).sum();
    quota.check(store, secret.id(), 1L - added.removed().size(), envelope.length - removedBytes);
    // The envelope and the labels that move to it: together or not at all (SecretStore#addVersion).
    StoredSecret next = added.secret().writtenBy(spec);
    // A record not stored yet (a new secret's, claimed with deferral) is created with it.
    StoredSecret written =
        secret.revision() == null
            ? store.createWithVersion(next, versionId, envelope)
            : store.addVersion(next, versionId, envelope);
    if (!added.removed().isEmpty()) {
      deleteVersions(secret.id(), added.removed());
    }
    return new Put(written, written.version(versionId).orElseThrow(), value);
  }

  /**
   * A replica's record made the same as its primary's: the ARN ({@code arn}, the primary's in this
   * region), and exactly {@code versions}, with their VersionIds, creation dates and staging
   * labels, each encrypted under {@code keyArn} (the replica's key) here. A version already held
   * with the same value under that key keeps its envelope; new ones are durable before the record
   * lists them; versions the primary no longer has are removed after. The record is written once,
   * and not at all when it already is as the primary's. A record whose ARN is another (one the
   * reconciler made before the first copy, or a secret a forced overwrite replaces) has its
   * versions replaced whole, since an envelope is bound to the ARN.
   *
   * @return the record as written (or as it was, when nothing changed)
   */
  public StoredSecret mirror(
      StoredSecret secret, String arn, List<ReplicaVersion> versions, String keyArn) {
    if (secret.scheduledForDeletion()) {
      secret = store.update(secret.restored());
    }
    StoredSecret base = secret;
    if (!arn.equals(secret.arn())) {
      List<StoredVersion> dropped = secret.versions();
      base =
          secret.versions().isEmpty()
              ? secret
              : store.update(secret.withVersions(List.of(), clock.instant()));
      if (!dropped.isEmpty()) {
        deleteVersions(secret.id(), dropped);
      }
      base = base.withArn(arn);
    }
    List<StoredVersion> next = new ArrayList<>();
    Map<String, Integer> sizes = new LinkedHashMap<>();
    long newBytes = 0;
    int added = 0;
    for (ReplicaVersion v : versions) {
      SecretValue value = new SecretValue(v.value().clone(), v.binary());
      try {
        String valueHash = values.valueHash(base.id(), value);
        Optional<StoredVersion> held = base.version(v.versionId());
        if (held.isPresent()
            && held.get().valueHash().equals(valueHash)
            && held.get().kmsKeyArn().equals(keyArn)) {
          next.add(held.get().withStages(v.stages()));
          continue;
        }
        if (held.isPresent()) {
          // The same VersionId with another value or key: an envelope is never replaced in place.
          throw new SecretsManagerException(
              AwsError.INVALID_REQUEST_EXCEPTION,
              "Version "
                  + v.versionId()
                  + " of the replica differs from the one stored in this region; remove the"
                  + " region from the primary's replicaRegions and add it again.");
        }
        byte[] envelope =
            cipher.seal(
                keyArn,
                EncryptionContext.forVersion(arn, v.versionId()),
                base.id(),
                value.encode());
        store.writeVersion(base.id(), v.versionId(), envelope);
        sizes.put(v.versionId(), envelope.length);
        newBytes += envelope.length;
        added++;
        next.add(
            new StoredVersion(
                v.versionId(), v.createdDate(), v.stages(), keyArn, valueHash, null, Map.of()));
      } finally {
        value.clear();
      }
    }
    List<String> kept = next.stream().map(StoredVersion::versionId).toList();
    List<StoredVersion> removed =
        base.versions().stream().filter(v -> !kept.contains(v.versionId())).toList();
    if (added == 0 && removed.isEmpty() && next.equals(base.versions()) && base == secret) {
      return secret;
    }
    long removedBytes = removed.stream().mapToLong(StoredVersion::envelopeSize).sum();
    quota.check(store, base.id(), (long) added - removed.size(), newBytes - removedBytes);
    StoredSecret written;
    try {
      written = store.update(base.withVersions(next, clock.instant()).withEnvelopeSizes(sizes));
    } catch (StoreConflictException changed) {
      // Refused for certain: the envelopes written for it are removed (no record lists them), so
      // the next attempt writes its own under the same version ids.
      store.deleteVersions(base.id(), List.copyOf(sizes.keySet()));
      throw changed;
    }
    if (!removed.isEmpty()) {
      deleteVersions(base.id(), removed);
    }
    return written;
  }

  /**
   * Records a new input hash on a version whose value it is (a sealed value sealed again: another
   * ciphertext of the same plaintext), so the next reconcile tells without opening anything that
   * nothing changed. Writes the record only; no envelope, no KMS call.
   */
  public StoredSecret recordInputHash(
      StoredSecret secret, StoredVersion version, String inputHash) {
    List<StoredVersion> versions =
        secret.versions().stream()
            .map(v -> v.versionId().equals(version.versionId()) ? v.withInputHash(inputHash) : v)
            .toList();
    return store.update(secret.withVersions(versions, secret.lastChangedDate()));
  }

  /**
   * Places staging labels as the spec states them (rollbacks, custom labels) and writes the record
   * when anything moved, unless a later generation of the ManagedSecret than {@code spec} wrote it
   * ({@link StaleSpecException}).
   */
  public StoredSecret applyStages(
      StoredSecret secret, Map<String, String> stages, SpecGeneration spec) {
    StoredSecret moved = Versions.applyStages(secret, stages);
    if (moved.versions().equals(secret.versions())) {
      return secret;
    }
    StaleSpecException.requireCurrent(secret, spec);
    return write(secret, moved, spec);
  }

  /**
   * Writes labels that moved as written by a reconcile of {@code spec} (null: no spec drives the
   * write, the record keeps its generation), and removes the versions that retention then drops.
   */
  private StoredSecret write(StoredSecret secret, StoredSecret moved, SpecGeneration spec) {
    Versions.Added retained = Versions.retain(moved, clock.instant());
    StoredSecret written = store.update(retained.secret().writtenBy(spec));
    if (!retained.removed().isEmpty()) {
      deleteVersions(secret.id(), retained.removed());
    }
    return written;
  }

  /** Removes the envelopes of versions that retention dropped, from the store and the cache. */
  private void deleteVersions(SecretId id, List<StoredVersion> removed) {
    List<String> versionIds = removed.stream().map(StoredVersion::versionId).toList();
    envelopes.dropVersions(id, versionIds);
    store.deleteRemoved(id, removed);
  }

  /**
   * Moves or removes one staging label as UpdateSecretVersionStage asks ({@link
   * Versions#updateStage}) and writes the record when anything moved. No spec drives the move (the
   * endpoint's, on a value the store owns): the record keeps the spec generation it has, as a claim
   * or a scheduled deletion does.
   */
  public StoredSecret updateStage(
      StoredSecret secret, String label, String moveToVersionId, String removeFromVersionId) {
    if (secret.scheduledForDeletion()) {
      throw new SecretsManagerException(
          AwsError.INVALID_REQUEST_EXCEPTION,
          "You can't perform this operation on the secret because it was marked for deletion.");
    }
    StoredSecret moved = Versions.updateStage(secret, label, moveToVersionId, removeFromVersionId);
    return moved == secret ? secret : write(secret, moved, null);
  }

  /** Reads and decrypts one version; anything altered fails with DecryptionFailure. */
  public SecretValue read(StoredSecret secret, StoredVersion version) {
    if (secret.scheduledForDeletion()) {
      throw new SecretsManagerException(
          AwsError.INVALID_REQUEST_EXCEPTION,
          "You can't perform this operation on the secret because it was marked for deletion.");
    }
    EnvelopeCache.Key key = EnvelopeCache.key(secret, version);
    byte[] envelope = envelopes.get(key, () -> store.readVersion(secret.id(), version));
    byte[] plaintext;
    try {
      plaintext =
          cipher.open(
              envelope,
              EncryptionContext.forVersion(secret.arn(), version.versionId()),
              secret.id());
    } catch (RuntimeException e) {
      envelopes.drop(key);
      throw e;
    }
    envelopes.keep(key, envelope);
    try {
      return SecretValue.decode(plaintext);
    } catch (IllegalArgumentException e) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE, "The stored version does not hold a secret value.");
    }
  }

  /**
   * Re-encrypts the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions that are under another key than
   * {@code keyArn} (the secret's KMS key changed); returns the secret unchanged, without a KMS
   * call, when there are none, and refuses without one when a later generation of the ManagedSecret
   * than {@code spec} wrote it ({@link StaleSpecException}). See {@link Reencryption}.
   */
  public StoredSecret reencrypt(StoredSecret secret, String keyArn, SpecGeneration spec) {
    return reencryption.apply(secret, keyArn, spec);
  }

  /**
   * Takes back what {@code claimed} did, for a ManagedSecret found deleted right after its claim (a
   * reconcile that began before the deletion, racing the DeleteSecret that purged or scheduled the
   * record): a record the claim created is purged, one it restored is scheduled again as it was. A
   * record written since the claim (a value stored, a schedule set) is another writer's and stays
   * as that writer left it.
   */
  public void withdraw(Claimed claimed) {
    if (claimed.claim() == Claim.EXISTING || claimed.secret().revision() == null) {
      return;
    }
    StoredSecret made = claimed.secret();
    for (int attempt = 1; attempt <= 2; attempt++) {
      Optional<StoredSecret> now =
          Incarnations.ownedBy(store.findByName(made.id()), made.ownerUid())
              .filter(r -> r.arn().equals(made.arn()) && r.sequence() == made.sequence());
      if (now.isEmpty()) {
        return;
      }
      try {
        if (claimed.claim() == Claim.CREATED) {
          store.purge(now.get());
          LOG.info(
              "Purged stored secret {}: its ManagedSecret was deleted as it was made", made.id());
        } else {
          StoredSecret before = claimed.before();
          store.update(
              now.get()
                  .withOwner(before.ownerName(), before.ownerUid())
                  .scheduledForDeletion(before.deletedDate(), before.purgeAfter(), before.kept()));
          LOG.info(
              "Scheduled stored secret {} for deletion again: its ManagedSecret was deleted as it"
                  + " was restored",
              made.id());
        }
        return;
      } catch (StoreConflictException changed) {
        // Another record of the name was written (one Kubernetes object holds them): read again.
      }
    }
  }

  /**
   * Schedules the secret for deletion after the recovery window, keeping its versions and ARN; or
   * purges it at once when forced.
   */
  public void delete(SecretId id, String ownerUid, Integer recoveryWindowInDays, boolean force) {
    delete(id, ownerUid, recoveryWindowInDays, force, false, null);
  }

  /**
   * As {@link #delete(SecretId, String, Integer, boolean)}, keeping {@code kept} (the deleted
   * ManagedSecret's description, KMS key and tags) on the record while it is scheduled.
   */
  public void delete(
      SecretId id,
      String ownerUid,
      Integer recoveryWindowInDays,
      boolean force,
      KeptMetadata kept) {
    delete(id, ownerUid, recoveryWindowInDays, force, false, kept);
  }

  /**
   * DeleteSecret's change to the store, made after its ManagedSecret was deleted: as {@link
   * #delete(SecretId, String, Integer, boolean)}, except that a schedule found is replaced by the
   * window asked for (the ManagedSecret's finalizer may have set its own since the request checked
   * that the secret was not scheduled).
   */
  public void deleteAsAsked(
      SecretId id, String ownerUid, int recoveryWindowInDays, boolean force, KeptMetadata kept) {
    delete(id, ownerUid, recoveryWindowInDays, force, true, kept);
  }

  private void delete(
      SecretId id,
      String ownerUid,
      Integer recoveryWindowInDays,
      boolean force,
      boolean replace,
      KeptMetadata kept) {
    for (int attempt = 1; ; attempt++) {
      Optional<StoredSecret> found = Incarnations.ownedBy(store.findByName(id), ownerUid);
      if (found.isEmpty()) {
        return;
      }
      StoredSecret secret = found.get();
      try {
        if (force) {
          envelopes.dropSecret(id);
          store.purge(secret);
          LOG.info("Purged stored secret {} without recovery", id);
          return;
        }
        if (secret.scheduledForDeletion() && !replace) {
          return;
        }
        Instant now = clock.instant();
        int days = recoveryWindowInDays == null ? 30 : recoveryWindowInDays;
        store.update(secret.scheduledForDeletion(now, now.plus(Duration.ofDays(days)), kept));
        LOG.info("Scheduled stored secret {} for deletion in {} days", id, days);
        return;
      } catch (StoreConflictException changed) {
        // The finalizer and DeleteSecret may write the record at once: read again.
        if (attempt == 3) {
          throw changed;
        }
      }
    }
  }

  /** The secrets of a namespace that are scheduled for deletion (a read of every record). */
  public List<StoredSecret> scheduledIn(String namespace) {
    return store.list().stream()
        .filter(s -> s.scheduledForDeletion() && s.id().namespace().equals(namespace))
        .toList();
  }

  /** Purges every secret whose recovery window has passed; returns how many. */
  public int purgeExpired() {
    Instant now = clock.instant();
    int purged = 0;
    for (StoredSecret s : store.list()) {
      if (s.purgeAfter() != null && !s.purgeAfter().isAfter(now)) {
        try {
          envelopes.dropSecret(s.id());
          store.purge(s);
        } catch (StoreConflictException restored) {
          // Changed since the list (restored, or re-bound): it is no longer expired as listed.
          LOG.info("Kept stored secret {}: it changed before its purge", s.id());
          continue;
        }
        LOG.info("Purged stored secret {}: its recovery window ended", s.id());
        purged++;
      }
    }
    return purged;
  }
}
