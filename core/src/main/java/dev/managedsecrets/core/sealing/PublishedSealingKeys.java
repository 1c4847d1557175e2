package dev.managedsecrets.core.sealing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The operator's sealing public keys as it publishes them: the JSON of {@value #KEYS} in the
 * ConfigMap {@value #CONFIG_MAP} of the operator's namespace, which every authenticated user may
 * read. Nothing in it is secret.
 *
 * <pre>{@code
 * {"current": "3f2a9c0d1b7e4a55",
 *  "keys": [{"keyId": "3f2a9c0d1b7e4a55", "createdDate": "2026-01-15T10:00:00Z",
 *            "publicKey": "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n"},
 *           {"keyId": "...", "createdDate": "...", "retiredDate": "...", "publicKey": "..."}]}
 * }</pre>
 *
 * The kubectl plugin reads it with {@link #parse} and seals with {@link #current()}.
 *
 * @param currentKeyId the key id new values are sealed for: the newest key that is not retired
 * @param keys every key the operator holds, newest first
 */
public record PublishedSealingKeys(String currentKeyId, List<Entry> keys) {

  /** The ConfigMap's name, in the operator's namespace. */
  public static final String CONFIG_MAP = "managedsecret-sealing-keys";

  /** Its data key holding this JSON. */
  public static final String KEYS = "keys.json";

  /** Its data key holding the current public key as PEM, for tools that read PEM only. */
  public static final String CURRENT_PEM = "current.pem";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One published key. {@code retiredDate} is null while the key is in use. */
  public record Entry(
      String keyId, Instant createdDate, Instant retiredDate, SealingPublicKey publicKey) {}

  public PublishedSealingKeys {
    keys = List.copyOf(keys);
  }

  /** The key to seal new values for; empty before the operator made its first key. */
  public Optional<Entry> currentKey() {
    return keys.stream().filter(k -> k.keyId().equals(currentKeyId)).findFirst();
  }

  /** The public key to seal new values for (the kubectl plugin's default). */
  public SealingPublicKey current() {
    return currentKey()
        .orElseThrow(() -> new IllegalStateException("the operator has published no sealing key"))
        .publicKey();
  }

  /** The key of this id, if published. */
  public Optional<Entry> key(String keyId) {
    return keys.stream().filter(k -> k.keyId().equals(keyId)).findFirst();
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("current", currentKeyId);
    ArrayNode list = root.putArray("keys");
    for (Entry e : keys) {
      ObjectNode k = list.addObject();
      k.put("keyId", e.keyId());
      k.put("createdDate", e.createdDate().toString());
      if (e.retiredDate() != null) {
        k.put("retiredDate", e.retiredDate().toString());
      }
      k.put("publicKey", e.publicKey().toPem());
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads the published JSON.
   *
   * @throws IllegalArgumentException when it is not what the operator publishes, or a key id is not
   *     its key's
   */
  public static PublishedSealingKeys parse(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      List<Entry> keys = new ArrayList<>();
      for (JsonNode k : root.path("keys")) {
        SealingPublicKey key = SealingPublicKey.fromPem(k.path("publicKey").asText());
        String keyId = k.path("keyId").asText();
        if (!key.keyId().equals(keyId)) {
          throw new IllegalArgumentException(
              "published key " + keyId + " is not the key of its PEM (" + key.keyId() + ")");
        }
        Instant retired =
            k.hasNonNull("retiredDate") ? Instant.parse(k.get("retiredDate").asText()) : null;
        keys.add(new Entry(keyId, Instant.parse(k.path("createdDate").asText()), retired, key));
      }
      return new PublishedSealingKeys(root.path("current").asText(null), keys);
    } catch (JsonProcessingException | DateTimeParseException e) {
      throw new IllegalArgumentException("not the operator's published sealing keys", e);
    }
  }
}
