package dev.managedsecrets.operator.sealing;

import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.sealing.SealedValueOpener;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's sealing keys: made at the first start, renewed every {@code renewalInterval},
 * retired when {@code sealing.retiredKeys} names them, kept for good so that everything sealed
 * before still opens. The private keys are stored wrapped under the KMS ({@link SealingKeySecret});
 * each is unwrapped once, when a value sealed for it is first opened, and kept in memory. The
 * public keys are published ({@link PublicKeyPublisher}).
 */
public final class SealingKeys implements SealedValueOpener.Keys {

  private static final Logger LOG = LoggerFactory.getLogger(SealingKeys.class);

  private final SealingKeySecret storage;
  private final SealingKeyWrapper wrapper;
  private final PublicKeyPublisher publisher;
  private final Clock clock;
  private final Duration renewalInterval;
  private final List<String> retiredKeys;
  private final Map<String, SealingPrivateKey> unwrapped = new ConcurrentHashMap<>();
  private volatile SealingKeyring keyring = SealingKeyring.EMPTY;

  SealingKeys(
      SealingKeySecret storage,
      SealingKeyWrapper wrapper,
      PublicKeyPublisher publisher,
      Clock clock,
      Duration renewalInterval,
      List<String> retiredKeys) {
    this.storage = storage;
    this.wrapper = wrapper;
    this.publisher = publisher;
    this.clock = clock;
    this.renewalInterval = renewalInterval;
    this.retiredKeys = List.copyOf(retiredKeys);
  }

  /**
   * Reads the keys, retires those {@code retiredKeys} names, makes a key when none is in use or the
   * current one is due, and publishes the public keys.
   */
  public static SealingKeys start(
      KubernetesClient client,
      String namespace,
      Kms kms,
      Clock clock,
      Duration renewalInterval,
      List<String> retiredKeys) {
    SealingKeys keys =
        new SealingKeys(
            new SealingKeySecret(client, namespace),
            new SealingKeyWrapper(kms, namespace),
            new PublicKeyPublisher(client, namespace),
            clock,
            renewalInterval,
            retiredKeys);
    keys.maintain();
    return keys;
  }

  /**
   * What the start does, and the schedule after it: retire, renew when due, publish. Returns the id
   * of the key new values are sealed for.
   */
  public String maintain() {
    Instant now = clock.instant();
    SealingKeyring stored = storage.read();
    SealingKeyring next = stored.retire(retiredKeys, now);
    if (next.renewalDue(now, renewalInterval)) {
      SealingPrivateKey key = SealingPrivateKey.generate();
      try {
        byte[] wrapped = wrapper.wrap(key);
        next =
            next.with(
                new SealingKeyring.StoredKey(
                    key.keyId(),
                    now,
                    null,
                    Base64.getEncoder().encodeToString(key.publicKey().raw()),
                    Base64.getEncoder().encodeToString(wrapped)));
      } finally {
        key.destroy();
      }
    }
    if (!next.equals(stored)) {
      SealingKeyring change = next;
      // Another replica may have written meanwhile: keep its keys, add ours, retire again.
      keyring =
          storage.update(
              live -> {
                SealingKeyring merged = live.retire(retiredKeys, now);
                for (SealingKeyring.StoredKey k : change.keys()) {
                  if (merged.find(k.keyId()).isEmpty()) {
                    merged = merged.with(k);
                  }
                }
                return merged;
              });
      keyring
          .current()
          .filter(k -> k.createdDate().equals(now))
          .ifPresent(k -> LOG.info("Created sealing key {}", k.keyId()));
      retiredKeys.stream()
          .filter(id -> stored.find(id).filter(k -> !k.retired()).isPresent())
          .forEach(id -> LOG.info("Retired sealing key {} (sealing.retiredKeys)", id));
    } else {
      keyring = stored;
    }
    publisher.publish(keyring.published());
    return keyring.current().map(SealingKeyring.StoredKey::keyId).orElse(null);
  }

  /** The keys as last read. */
  public SealingKeyring keyring() {
    return keyring;
  }

  /**
   * The public key new values are sealed for, read again from the stored keys (another replica may
   * have renewed it since); empty before the first key was made.
   */
  public Optional<SealingPublicKey> currentPublicKey() {
    keyring = storage.read();
    return keyring.current().map(SealingKeyring.StoredKey::sealingPublicKey);
  }

  @Override
  public boolean holds(String keyId) {
    return find(keyId).isPresent();
  }

  @Override
  public String retiredOn(String keyId) {
    return find(keyId)
        .map(SealingKeyring.StoredKey::retiredDate)
        .map(Instant::toString)
        .orElse(null);
  }

  @Override
  public SealingPrivateKey privateKey(String keyId) {
    return unwrapped.computeIfAbsent(
        keyId,
        id ->
            wrapper.unwrap(
                id,
                find(id).orElseThrow(() -> new IllegalStateException("no key " + id)).wrapped()));
  }

  /**
   * The key of this id; a key this replica has not seen (made by another replica, or restored) is
   * looked for once more in the stored keys.
   */
  private Optional<SealingKeyring.StoredKey> find(String keyId) {
    Optional<SealingKeyring.StoredKey> found = keyring.find(keyId);
    if (found.isEmpty()) {
      keyring = storage.read();
      found = keyring.find(keyId);
    }
    return found;
  }
}
