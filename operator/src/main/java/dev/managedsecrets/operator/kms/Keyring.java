package dev.managedsecrets.operator.kms;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.managedsecrets.core.crypto.Aead;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's keyring: the root key, the key for keyed hashes, and the keys of keys.json: the
 * operator's own KMS keys (the default key alias/managedsecrets) and the material of every key that
 * lives in the {@code local} provider, wrapped under the root key. It knows the keys, their
 * material versions and states, and how each changes; where they are kept is its {@link Storage}'s
 * business (the operator keeps them in one Secret: {@code KeyringSecret}).
 *
 * <p>A keys.json entry with {@code aliases} is a key of this catalog: every namespace may use it.
 * An entry without {@code aliases} holds a key that another catalog (a KmsKey resource) describes:
 * with an {@code owner} (the KmsKey's namespace/name) it also records the key's state, dates and
 * scheduled deletion, so that they survive a lost KmsKey status and an operator restart (see {@link
 * OwnedKey}). An entry with a {@code provider} other than local holds no material, only the numbers
 * of the material versions that provider holds. Entries that keyrings of format 1 wrote ({@code
 * keyId}, {@code aliases}, {@code materials}) and those written before KmsKey resources read as
 * they always did; the fields added since are optional.
 *
 * <p>Nothing a tenant writes is copied in beyond its KmsKey's namespace/name: a rotate-key request
 * is recorded by its SHA-256 digest ({@link #requestDigest}), and the keys of KmsKey resources stay
 * within {@link KeyringBound}. Entries written when the request's value itself was recorded ({@code
 * rotationRequest}) read as its digest, and are written back with the digest only.
 */
public final class Keyring implements KeyCatalog {

  public static final String LOCAL = "local";

  private static final Logger LOG = LoggerFactory.getLogger(Keyring.class);
  private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

  /** Where the keyring's keys are kept. */
  interface Storage {

    /**
     * Applies {@code change} to the keys as they are stored now and stores the keys it returns;
     * when another writer stored keys meanwhile, applies it again to theirs.
     */
    void update(UnaryOperator<List<StoredKey>> change);
  }

  /** How a key is written in keys.json: local material stays wrapped under the root key. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record StoredKey(
      String keyId,
      List<String> aliases,
      Map<Integer, String> materials,
      String provider,
      List<Integer> materialVersions,
      String owner,
      // Kept in incarnations.json beside keys.json (KeyringSecret), outside the bound on keys.json.
      @JsonIgnore String namespaceUid,
      String state,
      String createdDate,
      String lastRotatedDate,
      String rotationStart,
      String deletionDate,
      String rotationRequest,
      String rotationRequestSha256,
      Integer onDemandRotations) {

    StoredKey withNamespaceUid(String uid) {
      return new StoredKey(
          keyId,
          aliases,
          materials,
          provider,
          materialVersions,
          owner,
          uid,
          state,
          createdDate,
          lastRotatedDate,
          rotationStart,
          deletionDate,
          rotationRequest,
          rotationRequestSha256,
          onDemandRotations);
    }
  }

  /**
   * A key that a KmsKey resource owns, as keys.json records it. Its policy (aliases, enabled,
   * allowedNamespaces) is the resource's spec; what is here is what must outlive the resource's
   * status: the key id, where its material is, its state and dates.
   *
   * @param owner the KmsKey's namespace/name
   * @param namespaceUid the uid of the namespace incarnation the key belongs to: the one whose
   *     KmsKey made it, or the one an administrator re-bound it to; null for a key made before
   *     incarnations were recorded, which the first KmsKey of its owner to claim it takes
   * @param materialVersions the material versions, oldest first; empty until the provider made the
   *     first
   * @param rotationStart when the automatic rotation schedule started (rotation enabled, or the
   *     last automatic rotation); null while automatic rotation is off
   * @param deletionDate when a key pending deletion is destroyed; null otherwise
   * @param rotationRequest the SHA-256 digest ({@link #requestDigest}) of the rotate-key
   *     annotation's value handled last; never the value
   * @param onDemandRotations how many times the key was rotated on request in its life
   */
  public record OwnedKey(
      String keyId,
      String owner,
      String namespaceUid,
      String provider,
      List<Integer> materialVersions,
      KeyState state,
      Instant createdDate,
      Instant lastRotatedDate,
      Instant rotationStart,
      Instant deletionDate,
      String rotationRequest,
      int onDemandRotations) {

    public OwnedKey {
      materialVersions = List.copyOf(materialVersions);
      if (rotationRequest != null && !DIGEST.matcher(rotationRequest).matches()) {
        throw new IllegalArgumentException("A rotate-key request is recorded by its digest only");
      }
    }

    public OwnedKey withState(KeyState newState, Instant newDeletionDate) {
      return new OwnedKey(
          keyId,
          owner,
          namespaceUid,
          provider,
          materialVersions,
          newState,
          createdDate,
          lastRotatedDate,
          rotationStart,
          newDeletionDate,
          rotationRequest,
          onDemandRotations);
    }

    public OwnedKey withRotation(Instant lastRotated, Instant start, String request) {
      return new OwnedKey(
          keyId,
          owner,
          namespaceUid,
          provider,
          materialVersions,
          state,
          createdDate,
          lastRotated,
          start,
          deletionDate,
          request,
          onDemandRotations);
    }

    public OwnedKey withOnDemandRotations(int count) {
      return new OwnedKey(
          keyId,
          owner,
          namespaceUid,
          provider,
          materialVersions,
          state,
          createdDate,
          lastRotatedDate,
          rotationStart,
          deletionDate,
          rotationRequest,
          count);
    }

    /** The same key, belonging to another namespace incarnation. */
    public OwnedKey withNamespaceUid(String uid) {
      return new OwnedKey(
          keyId,
          owner,
          uid,
          provider,
          materialVersions,
          state,
          createdDate,
          lastRotatedDate,
          rotationStart,
          deletionDate,
          rotationRequest,
          onDemandRotations);
    }

    /** True when the key belongs to the incarnation {@code uid}, or to none yet. */
    public boolean claimableBy(String uid) {
      return namespaceUid == null || namespaceUid.equals(uid);
    }

    public OwnedKey withMaterialVersions(List<Integer> versions) {
      return new OwnedKey(
          keyId,
          owner,
          namespaceUid,
          provider,
          versions,
          state,
          createdDate,
          lastRotatedDate,
          rotationStart,
          deletionDate,
          rotationRequest,
          onDemandRotations);
    }
  }

  /** One keys.json entry in memory. */
  private static final class Entry {
    final String keyId;
    final String provider;
    List<String> aliases;
    final TreeMap<Integer, String> wrapped = new TreeMap<>();
    final TreeMap<Integer, byte[]> material = new TreeMap<>();
    final TreeSet<Integer> versions = new TreeSet<>();
    String owner;
    String namespaceUid;
    KeyState state;
    Instant createdDate;
    Instant lastRotatedDate;
    Instant rotationStart;
    Instant deletionDate;
    String rotationRequest;
    int onDemandRotations;

    Entry(String keyId, String provider, List<String> aliases) {
      this.keyId = keyId;
      this.provider = provider;
      this.aliases = aliases == null ? null : new ArrayList<>(aliases);
    }

    boolean local() {
      return LOCAL.equals(provider);
    }

    StoredKey stored() {
      return new StoredKey(
          keyId,
          aliases,
          local() ? new LinkedHashMap<>(wrapped) : null,
          local() ? null : provider,
          local() ? null : new ArrayList<>(versions),
          owner,
          namespaceUid,
          state == null ? null : state.awsName(),
          text(createdDate),
          text(lastRotatedDate),
          text(rotationStart),
          text(deletionDate),
          null,
          rotationRequest,
          onDemandRotations == 0 ? null : onDemandRotations);
    }

    OwnedKey owned() {
      return new OwnedKey(
          keyId,
          owner,
          namespaceUid,
          provider,
          List.copyOf(versions),
          state == null ? KeyState.ENABLED : state,
          createdDate,
          lastRotatedDate,
          rotationStart,
          deletionDate,
          rotationRequest,
          onDemandRotations);
    }

    /** Takes the recorded fields of an owned key; local material versions stay the material's. */
    void take(OwnedKey key) {
      owner = key.owner();
      namespaceUid = key.namespaceUid();
      state = key.state();
      createdDate = key.createdDate();
      lastRotatedDate = key.lastRotatedDate();
      rotationStart = key.rotationStart();
      deletionDate = key.deletionDate();
      rotationRequest = key.rotationRequest();
      onDemandRotations = key.onDemandRotations();
      if (!local()) {
        versions.clear();
        versions.addAll(key.materialVersions());
      }
    }
  }

  /** What the last attempt of a change made: the entries it left and what it returned. */
  private static final class Attempt<T> {
    Map<String, Entry> next;
    T result;
  }

  private final Arns arns;
  private final byte[] root;
  private final byte[] hashKey;
  private final Storage storage;

  /**
   * The entries as last stored. Every change is made on a fresh copy inside {@link #update}, under
   * this object's lock, and published whole by this write: a published map and its entries are
   * never changed again, so the lookups on the path of every data key read it without the lock.
   */
  private volatile Map<String, Entry> entries;

  /**
   * A keyring as its storage holds it.
   *
   * @throws IllegalStateException when the material of a local key does not open under {@code root}
   */
  Keyring(Arns arns, byte[] root, byte[] hashKey, List<StoredKey> keys, Storage storage) {
    this.arns = arns;
    this.root = root;
    this.hashKey = hashKey;
    this.storage = storage;
    this.entries = parse(keys);
  }

  /**
   * The keys of a new keyring whose root key is {@code root}: a local default key, or none ({@link
   * #ensureDefaultKey} makes it in another provider).
   */
  static List<StoredKey> newKeys(byte[] root, boolean withLocalDefaultKey) {
    List<StoredKey> keys = new ArrayList<>();
    if (withLocalDefaultKey) {
      String keyId = UUID.randomUUID().toString();
      keys.add(
          new StoredKey(
              keyId,
              List.of(ProviderKms.DEFAULT_ALIAS),
              Map.of(1, b64(Aead.encrypt(root, Aead.randomKey(), materialAad(keyId, 1)))),
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null,
              null));
    }
    return keys;
  }

  /**
   * How keys.json records a rotate-key request: the SHA-256 digest of its value (UTF-8), 64
   * lowercase hex digits, whatever the value's length.
   */
  public static String requestDigest(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public byte[] hashKey() {
    return hashKey.clone();
  }

  /** The key that alias/managedsecrets names. */
  public KeyMetadata defaultKey() {
    return find(ProviderKms.DEFAULT_ALIAS)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "Keyring has no key with alias " + ProviderKms.DEFAULT_ALIAS));
  }

  @Override
  public Optional<KeyMetadata> find(String reference) {
    // On the path of every data key: match by id, alias or ARN before building any metadata.
    for (Entry e : entries.values()) {
      if (e.aliases != null
          && (e.keyId.equals(reference)
              || e.aliases.contains(reference)
              || reference.equals(arns.keyArn(e.keyId)))) {
        return Optional.of(metadata(e));
      }
    }
    return Optional.empty();
  }

  /** The ARN of a key id in this operator's account and region. */
  public String arn(String keyId) {
    return arns.keyArn(keyId);
  }

  /**
   * Makes sure alias/managedsecrets names a key in the given provider, and that the provider still
   * holds every material version the keyring knows of. When the alias names a key in another
   * provider (the configuration changed), a new key is made in this one and the alias moves to it;
   * the old key stays in the keyring, so versions sealed under it still open.
   */
  public synchronized KeyMetadata ensureDefaultKey(KeyProvider provider) {
    Optional<Entry> current =
        entries.values().stream()
            .filter(e -> e.aliases != null && e.aliases.contains(ProviderKms.DEFAULT_ALIAS))
            .findFirst();
    if (current.isPresent() && current.get().provider.equals(provider.name())) {
      Entry entry = current.get();
      List<Integer> held = provider.materialVersions(entry.keyId);
      if (!held.containsAll(entry.versions)) {
        throw new IllegalStateException(
            "The default KMS key "
                + entry.keyId
                + " has material versions "
                + entry.versions
                + " in the keyring but provider "
                + provider.name()
                + " holds "
                + held
                + ": the operator is configured for another token, account or region than the"
                + " one that holds the key.");
      }
      return metadata(entry);
    }
    String keyId = UUID.randomUUID().toString();
    provider.createKey(keyId);
    update(
        state -> {
          Entry entry =
              state.computeIfAbsent(keyId, id -> new Entry(id, provider.name(), List.of()));
          entry.aliases = new ArrayList<>(List.of(ProviderKms.DEFAULT_ALIAS));
          if (!entry.local()) {
            entry.versions.add(1);
          }
          state.values().stream()
              .filter(e -> e != entry && e.aliases != null)
              .forEach(e -> e.aliases.remove(ProviderKms.DEFAULT_ALIAS));
          return null;
        });
    current.ifPresentOrElse(
        old ->
            LOG.warn(
                "Moved the default key alias {} from KMS key {} (provider {}) to new key {} in"
                    + " provider {}; the old key stays in the keyring for older versions",
                ProviderKms.DEFAULT_ALIAS,
                old.keyId,
                old.provider,
                keyId,
                provider.name()),
        () ->
            LOG.info(
                "Created the default KMS key {} ({}) in provider {}",
                keyId,
                ProviderKms.DEFAULT_ALIAS,
                provider.name()));
    return defaultKey();
  }

  /**
   * Rotates a key of this keyring in its provider: new data keys use the new material, older
   * material stays for the versions sealed under it.
   */
  public synchronized KeyMetadata rotate(String reference, KeyProvider provider) {
    KeyMetadata key =
        find(reference)
            .orElseThrow(
                () ->
                    new SecretsManagerException(
                        AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
                        "The KMS key " + reference + " is not in the keyring."));
    if (!key.provider().equals(provider.name())) {
      throw new IllegalArgumentException(
          "KMS key " + key.keyId() + " lives in provider " + key.provider());
    }
    int version = provider.rotate(key.keyId());
    if (!LOCAL.equals(provider.name())) {
      update(
          state -> {
            state.get(key.keyId()).versions.add(version);
            return null;
          });
    }
    LOG.info("Rotated KMS key {}: new material version {}", key.keyId(), version);
    return find(key.keyId()).orElseThrow();
  }

  // ---- keys of KmsKey resources ----

  /**
   * Refuses, before a provider makes material it could not take back (an HSM object, an AWS KMS
   * key), a new key or material version that the keyring would have no room to record.
   *
   * @throws SecretsManagerException LimitExceededException naming {@link KeyringBound#MAX_BYTES}
   */
  public synchronized void requireRoom() {
    KeyringBound.requireRoom(stored(entries));
  }

  /**
   * The key of the KmsKey namespace/name in the namespace incarnation {@code namespaceUid}: the one
   * that incarnation's KmsKey made (or that was re-bound to it), else one made before incarnations
   * were recorded, which no incarnation has taken yet. Keys of other incarnations of the namespace
   * are never its own.
   */
  public synchronized Optional<OwnedKey> ownedKey(String owner, String namespaceUid) {
    List<OwnedKey> keys =
        entries.values().stream()
            .filter(e -> owner.equals(e.owner))
            .map(Entry::owned)
            .filter(k -> k.claimableBy(namespaceUid))
            .toList();
    return keys.stream()
        .filter(k -> k.namespaceUid() != null)
        .findFirst()
        .or(() -> keys.stream().findFirst());
  }

  /** The key of a KmsKey resource with this key id, if the keyring knows one. */
  public synchronized Optional<OwnedKey> ownedKeyById(String keyId) {
    Entry entry = entries.get(keyId);
    return entry == null || entry.owner == null ? Optional.empty() : Optional.of(entry.owned());
  }

  /** Every key of a KmsKey resource, including those pending deletion. */
  public synchronized List<OwnedKey> ownedKeys() {
    return entries.values().stream().filter(e -> e.owner != null).map(Entry::owned).toList();
  }

  /**
   * Records a new key for a KmsKey resource before its provider makes any material, so that a
   * restart in between finds the key id again instead of making another key.
   */
  public synchronized OwnedKey recordOwnedKey(
      String keyId,
      String owner,
      String namespaceUid,
      String provider,
      KeyState state,
      Instant now) {
    return update(
        next -> {
          if (next.values().stream()
              .anyMatch(e -> owner.equals(e.owner) && e.owned().claimableBy(namespaceUid))) {
            throw new IllegalStateException("The keyring already has a key for KmsKey " + owner);
          }
          Entry entry = next.computeIfAbsent(keyId, id -> new Entry(id, provider, null));
          entry.owner = owner;
          entry.namespaceUid = namespaceUid;
          entry.state = state;
          entry.createdDate = now;
          return entry.owned();
        });
  }

  /** Changes what keys.json records of a KmsKey resource's key (not its local material). */
  public synchronized OwnedKey updateOwnedKey(String keyId, UnaryOperator<OwnedKey> change) {
    return update(
        next -> {
          Entry entry = next.get(keyId);
          if (entry == null || entry.owner == null) {
            throw new SecretsManagerException(
                AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
                "The KMS key " + keyId + " is not in the keyring.");
          }
          entry.take(change.apply(entry.owned()));
          return entry.owned();
        });
  }

  /**
   * Removes a KmsKey resource's key from the keyring for good, with its local material: what was
   * sealed under it no longer opens.
   */
  public synchronized void forget(String keyId) {
    update(
        next -> {
          Entry entry = next.get(keyId);
          if (entry != null && entry.owner != null) {
            next.remove(keyId);
          }
          return null;
        });
  }

  // ---- local material, for LocalKeyProvider ----

  Optional<byte[]> localMaterial(String keyId, int version) {
    Entry entry = entries.get(keyId);
    if (entry == null || !entry.local()) {
      return Optional.empty();
    }
    return Optional.ofNullable(entry.material.get(version));
  }

  List<Integer> localMaterialVersions(String keyId) {
    Entry entry = entries.get(keyId);
    return entry == null || !entry.local() ? List.of() : List.copyOf(entry.versions);
  }

  /** Adds material version 1 of a new local key, or does nothing when it exists. */
  synchronized int createLocalKey(String keyId) {
    Entry existing = entries.get(keyId);
    if (existing != null && !existing.local()) {
      throw new IllegalArgumentException(
          "KMS key " + keyId + " lives in provider " + existing.provider);
    }
    if (existing != null && !existing.versions.isEmpty()) {
      return existing.versions.first();
    }
    return update(
        state -> {
          Entry entry = state.computeIfAbsent(keyId, id -> new Entry(id, LOCAL, null));
          return entry.versions.isEmpty() ? addMaterial(entry) : entry.versions.first();
        });
  }

  /** Adds a new material version to a local key. */
  synchronized int rotateLocalKey(String keyId) {
    Entry existing = entries.get(keyId);
    if (existing == null || !existing.local()) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "The KMS key " + keyId + " has no material in the local keyring.");
    }
    return update(state -> addMaterial(state.get(keyId)));
  }

  private int addMaterial(Entry entry) {
    int version = entry.versions.isEmpty() ? 1 : entry.versions.last() + 1;
    byte[] material = Aead.randomKey();
    entry.wrapped.put(
        version, b64(Aead.encrypt(root, material, materialAad(entry.keyId, version))));
    entry.material.put(version, material);
    entry.versions.add(version);
    return version;
  }

  // ---- the entries and their stored form ----

  private KeyMetadata metadata(Entry e) {
    return new KeyMetadata(
        e.keyId,
        arns.keyArn(e.keyId),
        e.aliases,
        KeyState.ENABLED,
        e.provider,
        List.copyOf(e.versions),
        null);
  }

  /**
   * Applies a change to the entries as the storage holds them now and stores the result, unless it
   * adds to the keys of KmsKey resources beyond {@link KeyringBound}; the storage applies it again
   * when another writer changed them meanwhile. The entries in memory become those stored.
   */
  private <T> T update(Function<Map<String, Entry>, T> change) {
    Attempt<T> last = new Attempt<>();
    storage.update(
        keys -> {
          last.next = parse(keys);
          last.result = change.apply(last.next);
          List<StoredKey> out = stored(last.next);
          KeyringBound.check(keys, out);
          return out;
        });
    entries = last.next;
    return last.result;
  }

  private static List<StoredKey> stored(Map<String, Entry> state) {
    return state.values().stream().map(Entry::stored).toList();
  }

  private Map<String, Entry> parse(List<StoredKey> stored) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (StoredKey s : stored) {
      Entry entry = new Entry(s.keyId(), s.provider() == null ? LOCAL : s.provider(), s.aliases());
      if (entry.local()) {
        Map<Integer, String> materials = s.materials() == null ? Map.of() : s.materials();
        for (var m : new TreeMap<>(materials).entrySet()) {
          try {
            entry.material.put(
                m.getKey(),
                Aead.decrypt(
                    root,
                    Base64.getDecoder().decode(m.getValue()),
                    materialAad(s.keyId(), m.getKey())));
          } catch (GeneralSecurityException | IllegalArgumentException ex) {
            throw new IllegalStateException(
                "Key material of KMS key " + s.keyId() + " does not open under the root key");
          }
          entry.wrapped.put(m.getKey(), m.getValue());
          entry.versions.add(m.getKey());
        }
      } else if (s.materialVersions() != null) {
        entry.versions.addAll(s.materialVersions());
      }
      entry.owner = s.owner();
      entry.namespaceUid = s.namespaceUid();
      entry.state = s.state() == null ? null : KeyState.fromAwsName(s.state());
      entry.createdDate = instant(s.createdDate());
      entry.lastRotatedDate = instant(s.lastRotatedDate());
      entry.rotationStart = instant(s.rotationStart());
      entry.deletionDate = instant(s.deletionDate());
      // Written before requests were recorded by digest: the value itself, and no count of
      // on-demand rotations, so every rotation of the key counts as one.
      boolean rawRequest = s.rotationRequestSha256() == null && s.rotationRequest() != null;
      entry.rotationRequest =
          rawRequest ? requestDigest(s.rotationRequest()) : s.rotationRequestSha256();
      entry.onDemandRotations =
          s.onDemandRotations() != null
              ? s.onDemandRotations()
              : rawRequest ? Math.max(0, entry.versions.size() - 1) : 0;
      out.put(entry.keyId, entry);
    }
    return out;
  }

  private static byte[] materialAad(String keyId, int version) {
    return ("managedsecrets keyring v1\n" + keyId + "\n" + version)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Instant i) {
    return i == null ? null : i.toString();
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
