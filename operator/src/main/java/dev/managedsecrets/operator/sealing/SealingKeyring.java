package dev.managedsecrets.operator.sealing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The operator's sealing key pairs as it stores them ({@code keys.json} of the sealing keys
 * Secret): each key's id, dates, public key, and private key wrapped under the KMS (never in plain
 * text). Newest first. No Kubernetes type; {@link SealingKeySecret} stores it.
 *
 * @param keys newest first
 */
public record SealingKeyring(List<StoredKey> keys) {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .findAndAddModules()
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  /**
   * One key pair.
   *
   * @param publicKey the raw X25519 public key, base64
   * @param wrappedPrivateKey the raw private key sealed under the KMS's default key (an envelope,
   *     docs/ENVELOPE.md), base64
   * @param retiredDate when it was retired (sealing.retiredKeys); null while in use
   */
  public record StoredKey(
      String keyId,
      Instant createdDate,
      Instant retiredDate,
      String publicKey,
      String wrappedPrivateKey) {

    SealingPublicKey sealingPublicKey() {
      return SealingPublicKey.fromRaw(Base64.getDecoder().decode(publicKey));
    }

    byte[] wrapped() {
      return Base64.getDecoder().decode(wrappedPrivateKey);
    }

    boolean retired() {
      return retiredDate != null;
    }
  }

  public SealingKeyring {
    keys = keys.stream().sorted(Comparator.comparing(StoredKey::createdDate).reversed()).toList();
  }

  public static final SealingKeyring EMPTY = new SealingKeyring(List.of());

  public Optional<StoredKey> find(String keyId) {
    return keys.stream().filter(k -> k.keyId().equals(keyId)).findFirst();
  }

  /** The key new values are sealed for: the newest that is not retired. */
  public Optional<StoredKey> current() {
    return keys.stream().filter(k -> !k.retired()).findFirst();
  }

  /** A new key is due: there is none in use, or the current one is {@code every} old. */
  public boolean renewalDue(Instant now, Duration every) {
    return current().map(k -> !k.createdDate().plus(every).isAfter(now)).orElse(true);
  }

  /** With one more key. */
  public SealingKeyring with(StoredKey key) {
    List<StoredKey> next = new ArrayList<>(keys);
    next.add(key);
    return new SealingKeyring(next);
  }

  /** With the keys of these ids retired now, those retired before keeping their date. */
  public SealingKeyring retire(Collection<String> keyIds, Instant now) {
    return new SealingKeyring(
        keys.stream()
            .map(
                k ->
                    keyIds.contains(k.keyId()) && !k.retired()
                        ? new StoredKey(
                            k.keyId(), k.createdDate(), now, k.publicKey(), k.wrappedPrivateKey())
                        : k)
            .toList());
  }

  /** What is published: ids, dates and public keys; nothing secret. */
  public PublishedSealingKeys published() {
    return new PublishedSealingKeys(
        current().map(StoredKey::keyId).orElse(null),
        keys.stream()
            .map(
                k ->
                    new PublishedSealingKeys.Entry(
                        k.keyId(), k.createdDate(), k.retiredDate(), k.sealingPublicKey()))
            .toList());
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(keys);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static SealingKeyring fromJson(byte[] json) {
    try {
      return new SealingKeyring(JSON.readValue(json, new TypeReference<List<StoredKey>>() {}));
    } catch (IOException e) {
      throw new IllegalStateException(
          "The sealing keys Secret's keys.json can't be read: restore it from its backup", e);
    }
  }

  /** Ids and dates only. */
  @Override
  public String toString() {
    return "SealingKeyring" + keys.stream().map(StoredKey::keyId).toList();
  }
}
