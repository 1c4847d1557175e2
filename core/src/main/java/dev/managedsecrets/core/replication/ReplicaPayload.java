package dev.managedsecrets.core.replication;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a primary region's operator sends to a replica region: where it belongs, the primary's ARN,
 * a sequence number, the description and tags, the primary's projection settings, and the labelled
 * versions with their values in the clear. {@link ReplicaSeal} seals it for the replica region's
 * operator; this record is the plaintext on either side, and {@link #clear()} overwrites its
 * values.
 *
 * @param binding where the payload belongs
 * @param primaryArn the primary secret's ARN, 1-2048 characters
 * @param sequence chosen by the sender, higher for each later payload of the secret; the receiver
 *     refuses one older than the last it took (this record only carries it)
 * @param description the description, at most 2048 characters, or null for none
 * @param tags at most 50, keys 1-128 characters, values at most 256; kept sorted by key, so that
 *     equal tags encode and digest alike whatever order they were given in (null: none)
 * @param spec the primary's projection settings, an opaque JSON text of at most 65,536 characters,
 *     or null
 * @param versions at most 100, each VersionId once and each staging label on one version at most
 */
public record ReplicaPayload(
    ReplicaBinding binding,
    String primaryArn,
    long sequence,
    String description,
    Map<String, String> tags,
    String spec,
    List<ReplicaVersion> versions) {

  static final int MAX_ARN = 2048;
  static final int MAX_DESCRIPTION = 2048;
  static final int MAX_TAGS = 50;
  static final int MAX_TAG_KEY = 128;
  static final int MAX_TAG_VALUE = 256;
  static final int MAX_SPEC = 65_536;
  static final int MAX_VERSIONS = 100;

  /** Bytes of an HMAC key for {@link #digest(byte[])}, at least. */
  public static final int MIN_DIGEST_KEY_BYTES = 16;

  /**
   * @throws IllegalArgumentException when a part is missing or out of its bounds (the message gives
   *     sizes and VersionIds, never a value, a tag or the spec)
   */
  public ReplicaPayload {
    if (binding == null) {
      throw new IllegalArgumentException("a replica payload needs its binding");
    }
    if (primaryArn == null || primaryArn.isEmpty() || primaryArn.length() > MAX_ARN) {
      throw new IllegalArgumentException("a primary ARN is 1-" + MAX_ARN + " characters");
    }
    if (description != null && description.length() > MAX_DESCRIPTION) {
      throw new IllegalArgumentException(
          "the description is "
              + description.length()
              + " characters, more than "
              + MAX_DESCRIPTION);
    }
    tags = sortedTags(tags);
    if (spec != null && spec.length() > MAX_SPEC) {
      throw new IllegalArgumentException(
          "the projection settings are " + spec.length() + " characters, more than " + MAX_SPEC);
    }
    versions = checkedVersions(versions);
  }

  private static Map<String, String> sortedTags(Map<String, String> tags) {
    if (tags == null) {
      return Map.of();
    }
    if (tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException(
          "there are " + tags.size() + " tags, more than " + MAX_TAGS);
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    int place = 0;
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      place++;
      String key = tag.getKey();
      String value = tag.getValue();
      if (key == null || key.isEmpty() || key.length() > MAX_TAG_KEY) {
        throw new IllegalArgumentException(
            "tag " + place + "'s key is not 1-" + MAX_TAG_KEY + " characters");
      }
      if (value == null || value.length() > MAX_TAG_VALUE) {
        throw new IllegalArgumentException(
            "tag " + place + "'s value is missing or more than " + MAX_TAG_VALUE + " characters");
      }
      sorted.put(key, value);
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(sorted));
  }

  private static List<ReplicaVersion> checkedVersions(List<ReplicaVersion> versions) {
    if (versions == null) {
      throw new IllegalArgumentException("a replica payload needs its list of versions");
    }
    if (versions.size() > MAX_VERSIONS) {
      throw new IllegalArgumentException(
          "there are " + versions.size() + " versions, more than " + MAX_VERSIONS);
    }
    Set<String> ids = new HashSet<>();
    Set<String> stages = new HashSet<>();
    for (ReplicaVersion version : versions) {
      if (version == null) {
        throw new IllegalArgumentException("a replica payload's version is missing");
      }
      if (!ids.add(version.versionId())) {
        throw new IllegalArgumentException("version " + version.versionId() + " comes twice");
      }
      for (String stage : version.stages()) {
        if (!stages.add(stage)) {
          throw new IllegalArgumentException(
              "staging label " + stage + " is on more than one version");
        }
      }
    }
    return List.copyOf(versions);
  }

  /** Overwrites every version's value with zeros. */
  public void clear() {
    versions.forEach(ReplicaVersion::clear);
  }

  /**
   * A digest of the whole payload, as lowercase hex: HMAC-SHA256 under {@code key} of its canonical
   * encoding in which each value stands as its SHA-256. Equal content gives the same digest (tags
   * are sorted), and any change of a value, label, date, tag, the description, the settings, the
   * sequence or the binding gives another one.
   *
   * <p>Why keyed: a value's plain hash could be found by trying candidates when the value is short
   * (a PIN, a word), so a plain digest would reveal it to whoever could read it. Under a key that
   * only the operators hold it reveals nothing, and may be written where tenants can read it.
   *
   * @param key at least {@link #MIN_DIGEST_KEY_BYTES} bytes, held only by the operators
   */
  public String digest(byte[] key) {
    if (key == null || key.length < MIN_DIGEST_KEY_BYTES) {
      throw new IllegalArgumentException(
          "a digest key is at least " + MIN_DIGEST_KEY_BYTES + " bytes");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      ReplicaCodec.digestInto(this, mac);
      return HexFormat.of().formatHex(mac.doFinal());
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  /** Never a value, a tag, the description or the settings. */
  @Override
  public String toString() {
    return "ReplicaPayload["
        + binding.describe()
        + ", primaryArn="
        + primaryArn
        + ", sequence="
        + sequence
        + ", versions="
        + versions.stream().map(ReplicaVersion::versionId).toList()
        + ", tags="
        + tags.size()
        + "]";
  }
}
