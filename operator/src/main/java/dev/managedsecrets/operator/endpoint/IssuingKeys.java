package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The ring of keys pod credentials are issued and verified with: the newest key whose start has
 * come issues; a key that a newer one replaced still verifies for {@link #LIFETIME} after it
 * stopped issuing (the longest a credential it issued lives), then a rotation drops it. A new key
 * is published {@link #AHEAD} before it starts issuing, so that every replica has read it before a
 * credential it issued reaches one. Immutable; its text is what the Secret keeps.
 */
record IssuingKeys(List<Key> keys) {

  /** The longest a credential lives, and so how long a replaced key still verifies. */
  static final Duration LIFETIME = Duration.ofHours(1);

  /** How long before it issues a new key is written into the ring. */
  static final Duration AHEAD = Duration.ofMinutes(2);

  /** The most keys a ring read from the Secret may hold. */
  static final int MAX_KEYS = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** One key: an id (named in the session tokens it issues), 256 bits, and when it issues from. */
  record Key(String id, byte[] secret, Instant from) {

    @Override
    public boolean equals(Object other) {
      return other instanceof Key k
          && id.equals(k.id)
          && from.equals(k.from)
          && MessageDigest.isEqual(secret, k.secret);
    }

    @Override
    public int hashCode() {
      return id.hashCode();
    }

    /** Never shows the key. */
    @Override
    public String toString() {
      return "Key[" + id + ", from " + from + "]";
    }
  }

  IssuingKeys {
    keys = keys.stream().sorted(Comparator.comparing(Key::from)).toList();
  }

  static IssuingKeys empty() {
    return new IssuingKeys(List.of());
  }

  /** The key that issues at {@code now}: the newest one whose start has come. */
  Optional<Key> issuing(Instant now) {
    Key found = null;
    for (Key k : keys) {
      if (!k.from().isAfter(now)) {
        found = k;
      }
    }
    return Optional.ofNullable(found);
  }

  /** The key {@code id}, if it still verifies at {@code now}. */
  Optional<Key> verifying(String id, Instant now) {
    for (int i = 0; i < keys.size(); i++) {
      Key k = keys.get(i);
      if (k.id().equals(id)) {
        return stillVerifies(i, now) ? Optional.of(k) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  private boolean stillVerifies(int index, Instant now) {
    if (index == keys.size() - 1) {
      return true;
    }
    Instant replaced = keys.get(index + 1).from();
    return now.isBefore(replaced.plus(LIFETIME));
  }

  /**
   * True when a rotation is due at {@code now}: the ring has no key, or its newest key has issued
   * for {@code interval} less {@link #AHEAD} (so that its successor issues when it is {@code
   * interval} old).
   */
  boolean due(Instant now, Duration interval) {
    return keys.isEmpty()
        || !now.isBefore(keys.get(keys.size() - 1).from().plus(interval).minus(AHEAD));
  }

  /**
   * This ring with a new key from SecureRandom, issuing {@link #AHEAD} from now (at once when the
   * ring is empty), without the keys that no longer verify.
   */
  IssuingKeys rotated(Instant now) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    List<Key> kept = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      if (stillVerifies(i, now)) {
        kept.add(keys.get(i));
      }
    }
    kept.add(new Key(HexFormat.of().formatHex(id), secret, keys.isEmpty() ? now : now.plus(AHEAD)));
    return new IssuingKeys(kept);
  }

  /** The ring as the Secret keeps it: JSON, each key in base64. */
  String text() {
    ObjectNode root = Output.object();
    ArrayNode list = root.putArray("keys");
    for (Key k : keys) {
      list.addObject()
          .put("id", k.id())
          .put("key", Base64.getEncoder().encodeToString(k.secret()))
          .put("from", k.from().getEpochSecond());
    }
    return root.toString();
  }

  /**
   * The ring of {@code text}, as {@link #text()} wrote it.
   *
   * @throws IllegalStateException when it is not one (the message names no key)
   */
  static IssuingKeys parse(byte[] text) {
    JsonNode root;
    try {
      root = Output.JSON.readTree(new String(text, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("the issuing keys are not JSON");
    }
    JsonNode list = root == null ? null : root.get("keys");
    if (list == null || !list.isArray() || list.size() > MAX_KEYS) {
      throw new IllegalStateException("the issuing keys hold no list of at most " + MAX_KEYS);
    }
    List<Key> keys = new ArrayList<>();
    for (JsonNode k : list) {
      byte[] secret;
      try {
        secret = Base64.getDecoder().decode(k.path("key").asText(""));
      } catch (IllegalArgumentException e) {
        secret = new byte[0];
      }
      String id = k.path("id").asText("");
      if (secret.length != 32 || id.isEmpty() || id.length() > 64 || !k.path("from").isNumber()) {
        throw new IllegalStateException("an issuing key is not an id, 32 bytes and a start");
      }
      keys.add(new Key(id, secret, Instant.ofEpochSecond(k.path("from").asLong())));
    }
    return new IssuingKeys(keys);
  }
}
