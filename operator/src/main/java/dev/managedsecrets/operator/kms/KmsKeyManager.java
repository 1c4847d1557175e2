package dev.managedsecrets.operator.kms;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of the keys of KmsKey resources, as AWS KMS runs it: create (CreateKey), enable and
 * disable, rotate (RotateKeyOnDemand and automatic rotation), schedule and cancel deletion, and
 * delete for good when the pending window ends. It records each step in the keyring before or right
 * after the provider makes material, so that a restart at any point finds the key again. Kubernetes
 * objects are the reconciler's business, not this class's.
 */
public final class KmsKeyManager {

  private static final Logger LOG = LoggerFactory.getLogger(KmsKeyManager.class);

  /** What {@link #ensure} changed. */
  public enum Change {
    NONE,
    CREATED,
    DELETION_CANCELED,
    ENABLED,
    DISABLED
  }

  /** The key of a KmsKey and what ensuring it changed. */
  public record Ensured(Keyring.OwnedKey key, Change change) {}

  private final Keyring keyring;
  private final Map<String, KeyProvider> providers;
  private final String defaultProvider;
  private final Clock clock;

  public KmsKeyManager(
      Keyring keyring, Map<String, KeyProvider> providers, String defaultProvider, Clock clock) {
    this.keyring = keyring;
    this.providers = Map.copyOf(providers);
    this.defaultProvider = defaultProvider;
    this.clock = clock;
  }

  /** The names of the configured providers. */
  public Set<String> providers() {
    return providers.keySet();
  }

  public String arn(String keyId) {
    return keyring.arn(keyId);
  }

  /** The key of the KmsKey {@code owner} in the namespace incarnation {@code namespaceUid}. */
  public Optional<Keyring.OwnedKey> find(String owner, String namespaceUid) {
    return keyring.ownedKey(owner, namespaceUid);
  }

  /** The key that a key id or key ARN names. */
  public Optional<Keyring.OwnedKey> findByIdOrArn(String reference) {
    return keyring.ownedKeys().stream()
        .filter(k -> k.keyId().equals(reference) || keyring.arn(k.keyId()).equals(reference))
        .findFirst();
  }

  public List<Keyring.OwnedKey> keys() {
    return keyring.ownedKeys();
  }

  /**
   * The key of a KmsKey resource, in the state its spec asks for: made on first sight (material
   * version 1 in the provider), its scheduled deletion cancelled when the resource was re-created
   * inside the pending window, enabled or disabled. A key whose pending window has passed is
   * deleted for good first, and the resource gets a new key. Only a key of the resource's namespace
   * incarnation is its own: a KmsKey of a namespace deleted and made again under the same name gets
   * a new key, whatever the old incarnation's key of that name is doing. A key made before
   * incarnations were recorded is taken by the first that claims it.
   *
   * @param namespaceUid the uid of the namespace incarnation that holds the resource
   * @param provider the spec's provider, or null for the key's (the operator's default for a new
   *     key)
   * @throws SecretsManagerException InvalidParameterException when the spec names another provider
   *     than the one that holds the key
   */
  public Ensured ensure(String owner, String namespaceUid, String provider, boolean enabled) {
    Instant now = clock.instant();
    KeyState desired = enabled ? KeyState.ENABLED : KeyState.DISABLED;
    Optional<Keyring.OwnedKey> found = keyring.ownedKey(owner, namespaceUid);
    if (found.isPresent() && found.get().namespaceUid() == null) {
      found =
          Optional.of(
              keyring.updateOwnedKey(found.get().keyId(), k -> k.withNamespaceUid(namespaceUid)));
    }
    if (found.isPresent() && windowOver(found.get(), now)) {
      destroy(found.get());
      found = Optional.empty();
    }
    if (found.isEmpty()) {
      String name = provider != null ? provider : defaultProvider;
      KeyProvider chosen = provider(name);
      keyring.requireRoom();
      Keyring.OwnedKey recorded =
          keyring.recordOwnedKey(
              UUID.randomUUID().toString(), owner, namespaceUid, name, desired, now);
      Keyring.OwnedKey key = withMaterial(recorded, chosen);
      LOG.info(
          "Created KMS key {} for KmsKey {} in provider {}", key.keyId(), owner, key.provider());
      return new Ensured(key, Change.CREATED);
    }
    Keyring.OwnedKey key = found.get();
    if (provider != null && !provider.equals(key.provider())) {
      throw SecretsManagerException.invalidParameter(
          "The KMS key "
              + keyring.arn(key.keyId())
              + " of KmsKey "
              + owner
              + " lives in provider "
              + key.provider()
              + ", not "
              + provider
              + ": key material cannot move between providers. Set spec.provider to "
              + key.provider()
              + ".");
    }
    if (key.materialVersions().isEmpty()) {
      // A restart between recording the key and making its material.
      key = withMaterial(key, provider(key.provider()));
    }
    Change change = Change.NONE;
    if (key.state() == KeyState.PENDING_DELETION) {
      change = Change.DELETION_CANCELED;
    } else if (key.state() != desired) {
      change = enabled ? Change.ENABLED : Change.DISABLED;
    }
    if (change != Change.NONE) {
      key = keyring.updateOwnedKey(key.keyId(), k -> k.withState(desired, null));
      LOG.info("KMS key {} of KmsKey {} is {}", key.keyId(), owner, desired.awsName());
    }
    return new Ensured(key, change);
  }

  /**
   * RotateKeyOnDemand: makes a new material version; new data keys use it, and older versions stay
   * for what was sealed under them. A key is rotated on request at most {@link
   * KmsKeyPolicy#MAX_ON_DEMAND_ROTATIONS} times in its life, as in AWS KMS.
   *
   * @param rotationStart the automatic schedule's start (unchanged by a rotation on request)
   * @param request the digest of the rotate-key annotation's value handled
   * @throws SecretsManagerException LimitExceededException, with the key left as it is, after
   *     {@link KmsKeyPolicy#MAX_ON_DEMAND_ROTATIONS} rotations on request or when the keyring has
   *     no room for another material version
   */
  public Keyring.OwnedKey rotateOnDemand(
      Keyring.OwnedKey key, Instant rotationStart, String request) {
    if (key.onDemandRotations() >= KmsKeyPolicy.MAX_ON_DEMAND_ROTATIONS) {
      throw new SecretsManagerException(
          AwsError.LIMIT_EXCEEDED_EXCEPTION,
          "KMS key "
              + keyring.arn(key.keyId())
              + " has been rotated on request "
              + key.onDemandRotations()
              + " times, the most a key may be (as in AWS KMS): it stays at material version "
              + key.materialVersions().get(key.materialVersions().size() - 1)
              + ". Automatic rotation (enableKeyRotation) still rotates it; for more, use a new"
              + " KmsKey.");
    }
    return rotate(key, rotationStart, request, 1);
  }

  /**
   * An automatic rotation: makes a new material version and starts the schedule again from now.
   *
   * @throws SecretsManagerException LimitExceededException, with the key left as it is, when the
   *     keyring has no room for another material version
   */
  public Keyring.OwnedKey rotateOnSchedule(Keyring.OwnedKey key) {
    return rotate(key, clock.instant(), key.rotationRequest(), 0);
  }

  private Keyring.OwnedKey rotate(
      Keyring.OwnedKey key, Instant rotationStart, String request, int onDemand) {
    KeyProvider provider = provider(key.provider());
    keyring.requireRoom();
    int version = provider.rotate(key.keyId());
    Instant now = clock.instant();
    Keyring.OwnedKey rotated =
        keyring.updateOwnedKey(
            key.keyId(),
            k -> {
              Keyring.OwnedKey out =
                  k.withRotation(now, rotationStart, request)
                      .withOnDemandRotations(k.onDemandRotations() + onDemand);
              if (Keyring.LOCAL.equals(k.provider())) {
                return out;
              }
              TreeSet<Integer> versions = new TreeSet<>(k.materialVersions());
              versions.add(version);
              return out.withMaterialVersions(new ArrayList<>(versions));
            });
    LOG.info(
        "Rotated KMS key {} of KmsKey {}: new material version {}",
        key.keyId(),
        key.owner(),
        version);
    return rotated;
  }

  /**
   * Records the automatic rotation schedule's start and the rotate-key request handled (its
   * digest), without rotating; writes the keyring only when they changed.
   */
  public Keyring.OwnedKey schedule(Keyring.OwnedKey key, Instant rotationStart, String request) {
    if (Objects.equals(key.rotationStart(), rotationStart)
        && Objects.equals(key.rotationRequest(), request)) {
      return key;
    }
    return keyring.updateOwnedKey(
        key.keyId(), k -> k.withRotation(k.lastRotatedDate(), rotationStart, request));
  }

  /**
   * Schedules the key of a deleted KmsKey for deletion: it can't be used until the window ends
   * (then it is deleted for good) or the KmsKey is re-created. A key already pending deletion keeps
   * its date.
   */
  public Optional<Keyring.OwnedKey> scheduleDeletion(
      String owner, String namespaceUid, int pendingWindowInDays) {
    Optional<Keyring.OwnedKey> found = keyring.ownedKey(owner, namespaceUid);
    if (found.isEmpty() || found.get().state() == KeyState.PENDING_DELETION) {
      return found;
    }
    Instant date = clock.instant().plus(Duration.ofDays(pendingWindowInDays));
    Keyring.OwnedKey key =
        keyring.updateOwnedKey(
            found.get().keyId(), k -> k.withState(KeyState.PENDING_DELETION, date));
    LOG.info("Scheduled KMS key {} of KmsKey {} for deletion on {}", key.keyId(), owner, date);
    return Optional.of(key);
  }

  /**
   * Deletes for good the keys whose pending window has passed, unless their KmsKey was re-created
   * in their namespace incarnation (its reconcile cancels the deletion). Returns how many.
   */
  public int deleteExpired(Predicate<Keyring.OwnedKey> recreated) {
    Instant now = clock.instant();
    int deleted = 0;
    for (Keyring.OwnedKey key : keyring.ownedKeys()) {
      if (windowOver(key, now) && !recreated.test(key)) {
        destroy(key);
        deleted++;
      }
    }
    return deleted;
  }

  private void destroy(Keyring.OwnedKey key) {
    keyring.forget(key.keyId());
    if (Keyring.LOCAL.equals(key.provider())) {
      LOG.info(
          "Deleted KMS key {} of KmsKey {} and its material: its pending window ended",
          key.keyId(),
          key.owner());
    } else {
      LOG.warn(
          "Deleted KMS key {} of KmsKey {} from the keyring: its pending window ended. Its"
              + " material versions {} stay in provider {} until its administrator removes them",
          key.keyId(),
          key.owner(),
          key.materialVersions(),
          key.provider());
    }
  }

  private Keyring.OwnedKey withMaterial(Keyring.OwnedKey key, KeyProvider provider) {
    provider.createKey(key.keyId());
    if (Keyring.LOCAL.equals(provider.name())) {
      return keyring.ownedKeyById(key.keyId()).orElseThrow();
    }
    List<Integer> versions = provider.materialVersions(key.keyId());
    return keyring.updateOwnedKey(key.keyId(), k -> k.withMaterialVersions(versions));
  }

  private KeyProvider provider(String name) {
    KeyProvider provider = providers.get(name);
    if (provider == null) {
      throw SecretsManagerException.invalidParameter(
          "Provider "
              + name
              + " is not configured on the operator; configured providers: "
              + String.join(", ", providers.keySet().stream().sorted().toList())
              + ".");
    }
    return provider;
  }

  private static boolean windowOver(Keyring.OwnedKey key, Instant now) {
    return key.state() == KeyState.PENDING_DELETION
        && key.deletionDate() != null
        && !key.deletionDate().isAfter(now);
  }
}
