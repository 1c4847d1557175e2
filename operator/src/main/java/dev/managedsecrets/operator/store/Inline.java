package dev.managedsecrets.operator.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The envelopes the Kubernetes store keeps in their record's object rather than in objects of their
 * own: a small version is stored, and its labels moved to it, in one write of the record object.
 * Such a version's {@link StoredVersion#envelopeRevision} is negative (-1 as written, one less at
 * each re-encryption, so a cache keyed by revision never serves an envelope it replaced); its data
 * key is {@code envelope.<store id>.<version hash>}. The budget keeps a record object far below the
 * API server's object size limit (1 MiB), whatever the other incarnations of the name hold: larger
 * envelopes, and those past a record's budget, get objects of their own as before.
 */
final class Inline {

  /** The largest envelope kept inline, in bytes (a value of about 8 KiB). */
  static final int MAX_ENVELOPE = 8 * 1024;

  /** The most envelope bytes one record keeps inline. */
  static final int MAX_PER_RECORD = 64 * 1024;

  /** The revision of an envelope as first written inline. */
  static final int FIRST = -1;

  static final String PREFIX = "envelope.";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Inline() {}

  /** Whether an envelope of this revision is kept in its record's object. */
  static boolean is(int revision) {
    return revision < 0;
  }

  /** The revision of an inline envelope written over one of revision {@code old}. */
  static int nextRevision(int old) {
    return is(old) ? old - 1 : FIRST;
  }

  /** The data key of a version's inline envelope in its record's object. */
  static String key(SecretId id, String versionId) {
    return PREFIX
        + KubernetesSecretStore.storeId(id)
        + "."
        + KubernetesSecretStore.versionHash(versionId);
  }

  /**
   * Whether {@code envelope} of {@code versionId} is kept inline: it is small enough, and the
   * record's other inline envelopes leave room for it.
   */
  static boolean fits(StoredSecret record, String versionId, byte[] envelope) {
    if (envelope.length > MAX_ENVELOPE) {
      return false;
    }
    long others =
        record.versions().stream()
            .filter(v -> is(v.envelopeRevision()) && !v.versionId().equals(versionId))
            .mapToLong(StoredVersion::envelopeSize)
            .sum();
    return others + envelope.length <= MAX_PER_RECORD;
  }

  /** The record listing {@code versionId} as kept inline, with its envelope's size. */
  static StoredSecret listed(StoredSecret next, String versionId, int size) {
    if (next.version(versionId).isEmpty()) {
      throw new IllegalArgumentException(
          "the record of " + next.id() + " does not list version " + versionId);
    }
    return next.withVersions(
            next.versions().stream()
                .map(v -> v.versionId().equals(versionId) ? v.withEnvelopeRevision(FIRST) : v)
                .toList(),
            next.lastChangedDate())
        .withEnvelopeSizes(Map.of(versionId, size));
  }

  static String encode(byte[] envelope) {
    return Base64.getEncoder().encodeToString(envelope);
  }

  /**
   * What a cache of records needs of a record object, and no more: its name, resource version,
   * annotations and record keys. Its envelopes kept inline (up to 64 KiB), its labels and its
   * managedFields (a tree of maps per writer) stay out.
   */
  static Secret recordsOnly(Secret object) {
    ObjectMeta meta = object.getMetadata();
    Map<String, String> data = new HashMap<>();
    if (object.getData() != null) {
      object
          .getData()
          .forEach(
              (k, v) -> {
                if (!isKey(k)) {
                  data.put(k, v);
                }
              });
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(meta.getName())
        .withResourceVersion(meta.getResourceVersion())
        .withAnnotations(meta.getAnnotations())
        .endMetadata()
        .withData(data)
        .build();
  }

  private static boolean isKey(String dataKey) {
    return dataKey.startsWith(PREFIX);
  }

  /**
   * A JSON merge patch (RFC 7386) that writes {@code head}'s metadata (resourceVersion included,
   * the precondition), type and data keys, and sets (or, for a null value, removes) the data keys
   * of {@code inline}; the object's other data keys stay as they are.
   */
  static String mergePatch(Secret head, Map<String, String> inline) {
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("resourceVersion", head.getMetadata().getResourceVersion());
    metadata.set("labels", JSON.valueToTree(head.getMetadata().getLabels()));
    metadata.set("annotations", JSON.valueToTree(head.getMetadata().getAnnotations()));
    patch.put("type", head.getType());
    ObjectNode data = patch.putObject("data");
    head.getData().forEach(data::put);
    inline.forEach(data::put);
    return patch.toString();
  }

  /** A JSON merge patch that only sets (or, for a null value, removes) these data keys. */
  static String dataPatch(Map<String, String> inline) {
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode data = patch.putObject("data");
    inline.forEach(data::put);
    return patch.toString();
  }
}
