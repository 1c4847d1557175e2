package dev.managedsecrets.operator.store;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The default store: Secrets in the operator's own namespace, never in a tenant's. Each secret has
 * one record object (its metadata, versions and labels) and one object per version (its envelope),
 * so a full history of 100 versions of 64 KiB stays far below the API server's object size limit.
 * The record changes only by updates that carry its resourceVersion. Records are labelled with
 * their secret's namespace, so a namespace's use is one label-selected list of its records, which
 * list every version with its envelope's size: no envelope is read to count.
 */
public final class KubernetesSecretStore implements SecretStore {

  /** The label and type of every object of the store (records and envelopes). */
  public static final String LABEL_STORE = "managedsecrets.dev/store";

  static final String LABEL_STORE_ID = "managedsecrets.dev/store-id";
  static final String LABEL_VERSION_OF = "managedsecrets.dev/version-of";
  static final String LABEL_NAMESPACE = "managedsecrets.dev/namespace";
  static final String RECORD_KEY = "record.json";
  static final String ENVELOPE_KEY = "envelope";
  static final String NAMESPACE_ANNOTATION = "managedsecrets.dev/namespace";
  static final String NAME_ANNOTATION = "managedsecrets.dev/secret-name";
  public static final String TYPE = "managedsecrets.dev/store";

  private final KubernetesClient client;
  private final String namespace;

  public KubernetesSecretStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  @Override
  public Optional<StoredSecret> find(SecretId id) {
    Secret head = call(() -> secrets().withName(recordName(id)).get());
    return Optional.ofNullable(head).map(KubernetesSecretStore::decode);
  }

  @Override
  public StoredSecret create(StoredSecret secret) {
    Secret head = recordObject(secret).build();
    try {
      return decode(call(() -> secrets().resource(head).create()));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new StoreConflictException("The record of " + secret.id() + " already exists");
      }
      throw e;
    }
  }

  @Override
  public StoredSecret update(StoredSecret secret) {
    if (secret.revision() == null) {
      throw new IllegalArgumentException("update needs the revision it was read at");
    }
    Secret head =
        recordObject(secret)
            .editMetadata()
            .withResourceVersion(secret.revision())
            .endMetadata()
            .build();
    try {
      return decode(call(() -> secrets().resource(head).update()));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        throw new StoreConflictException("The record of " + secret.id() + " changed meanwhile");
      }
      throw e;
    }
  }

  @Override
  public void writeVersion(SecretId id, String versionId, byte[] envelope) {
    Secret version = envelopeObject(id, versionId, 0, envelope);
    try {
      call(() -> secrets().resource(version).create());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // A version the record already lists was written by another writer: never replace it.
      if (find(id).map(r -> r.version(versionId).isPresent()).orElse(false)) {
        throw new StoreConflictException(
            "Version " + versionId + " of " + id + " was written by another writer");
      }
      // Not listed yet: another writer may be about to list it. Only an object old enough to be
      // an attempt that never reached the record is replaced.
      Secret existing = call(() -> secrets().withName(version.getMetadata().getName()).get());
      if (existing != null && !orphaned(existing)) {
        throw new StoreConflictException(
            "Version " + versionId + " of " + id + " is being written by another writer");
      }
      call(() -> secrets().withName(version.getMetadata().getName()).delete());
      call(() -> secrets().resource(version).create());
    }
  }

  /**
   * Re-encryption: each new envelope gets a new immutable object (the version's next envelope
   * revision; no object is ever replaced) before the record's conditional update points at it. The
   * objects of the old envelopes are removed after; when the update fails, the new ones are.
   */
  @Override
  public StoredSecret replaceEnvelopes(StoredSecret next, Map<String, byte[]> envelopes) {
    Map<String, Integer> written = new LinkedHashMap<>();
    StoredSecret out;
    try {
      for (Map.Entry<String, byte[]> e : envelopes.entrySet()) {
        int old =
            next.version(e.getKey())
                .map(StoredVersion::envelopeRevision)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "the record of " + next.id() + " does not list " + e.getKey()));
        written.put(e.getKey(), createEnvelope(next.id(), e.getKey(), old + 1, e.getValue()));
      }
      Map<String, Integer> sizes = new LinkedHashMap<>();
      envelopes.forEach((versionId, envelope) -> sizes.put(versionId, envelope.length));
      out =
          update(
              next.withVersions(
                      next.versions().stream()
                          .map(
                              v ->
                                  written.containsKey(v.versionId())
                                      ? v.withEnvelopeRevision(written.get(v.versionId()))
                                      : v)
                          .toList(),
                      next.lastChangedDate())
                  .withEnvelopeSizes(sizes));
    } catch (StoreConflictException e) {
      // Refused for certain: nothing points at the new objects.
      written.forEach(
          (versionId, revision) -> deleteQuietly(versionName(next.id(), versionId, revision)));
      throw e;
    }
    // Nothing points at the old envelopes any more.
    for (StoredVersion v : next.versions()) {
      if (written.containsKey(v.versionId())) {
        deleteQuietly(versionName(next.id(), v.versionId(), v.envelopeRevision()));
      }
    }
    return out;
  }

  /** Deletes an object nothing points at; one left behind goes with deleteVersions or purge. */
  private void deleteQuietly(String name) {
    try {
      secrets().withName(name).delete();
    } catch (KubernetesClientException e) {
      // Left behind.
    }
  }

  /**
   * Creates the object of a re-encrypted envelope under the first revision from {@code revision}
   * whose name is free (a failed attempt may have left one), and returns that revision.
   */
  private int createEnvelope(SecretId id, String versionId, int revision, byte[] envelope) {
    for (int r = revision; r < revision + ENVELOPE_ATTEMPTS; r++) {
      Secret object = envelopeObject(id, versionId, r, envelope);
      try {
        call(() -> secrets().resource(object).create());
        return r;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    throw new StoreConflictException(
        "Could not write a new envelope of version " + versionId + " of " + id);
  }

  private static final int ENVELOPE_ATTEMPTS = 5;

  private Secret envelopeObject(SecretId id, String versionId, int revision, byte[] envelope) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(versionName(id, versionId, revision))
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/part-of", "managedsecret-operator")
        .addToLabels(LABEL_STORE, "version")
        .addToLabels(LABEL_STORE_ID, storeId(id))
        .addToLabels(revision == 0 ? Map.of() : Map.of(LABEL_VERSION_OF, versionHash(versionId)))
        .addToAnnotations("managedsecrets.dev/version-id", versionId)
        .endMetadata()
        .withType(TYPE)
        .withImmutable(true)
        .withData(Map.of(ENVELOPE_KEY, Base64.getEncoder().encodeToString(envelope)))
        .build();
  }

  /** A version object older than a writer needs to list it belongs to an attempt that failed. */
  private static boolean orphaned(Secret version) {
    String created = version.getMetadata().getCreationTimestamp();
    return created == null
        || java.time.Instant.parse(created).isBefore(java.time.Instant.now().minus(ORPHAN_AGE));
  }

  static final java.time.Duration ORPHAN_AGE = java.time.Duration.ofMinutes(2);

  @Override
  public byte[] readVersion(SecretId id, String versionId) {
    int revision =
        find(id).flatMap(r -> r.version(versionId)).map(StoredVersion::envelopeRevision).orElse(0);
    return readEnvelope(id, versionId, revision);
  }

  @Override
  public byte[] readVersion(SecretId id, StoredVersion version) {
    return readEnvelope(id, version.versionId(), version.envelopeRevision());
  }

  private byte[] readEnvelope(SecretId id, String versionId, int revision) {
    Secret version = call(() -> secrets().withName(versionName(id, versionId, revision)).get());
    if (version == null
        || version.getData() == null
        || !version.getData().containsKey(ENVELOPE_KEY)) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
    }
    try {
      return Base64.getDecoder().decode(version.getData().get(ENVELOPE_KEY));
    } catch (IllegalArgumentException e) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "The stored envelope of version "
              + versionId
              + " of secret "
              + id.name()
              + " is not base64: it can't be decrypted until an administrator restores it from a"
              + " backup of the store (docs/STORES.md).");
    }
  }

  @Override
  public void deleteVersions(SecretId id, List<String> versionIds) {
    List<String> listed =
        find(id).map(s -> s.versions().stream().map(v -> v.versionId()).toList()).orElse(List.of());
    for (String versionId : versionIds) {
      if (!listed.contains(versionId)) {
        call(() -> secrets().withName(versionName(id, versionId)).delete());
        // Envelopes of the version re-encrypted under another key, if there were any.
        call(
            () ->
                secrets()
                    .withLabel(LABEL_STORE_ID, storeId(id))
                    .withLabel(LABEL_VERSION_OF, versionHash(versionId))
                    .delete());
      }
    }
  }

  @Override
  public void purge(SecretId id) {
    call(() -> secrets().withLabel(LABEL_STORE_ID, storeId(id)).delete());
    call(() -> secrets().withName(recordName(id)).delete());
  }

  @Override
  public List<StoredSecret> list() {
    List<StoredSecret> out = new ArrayList<>();
    for (Secret s : call(() -> secrets().withLabel(LABEL_STORE, "record").list().getItems())) {
      out.add(decode(s));
    }
    return out;
  }

  /**
   * One list of the namespace's records, selected by their namespace label. A record that can't be
   * read is not counted: it fails its own secret's reconciles (DecryptionFailure), not its
   * neighbours'.
   */
  @Override
  public Usage usage(String tenant) {
    long versions = 0;
    long bytes = 0;
    for (Secret s :
        call(
            () ->
                secrets()
                    .withLabel(LABEL_STORE, "record")
                    .withLabel(LABEL_NAMESPACE, tenant)
                    .list()
                    .getItems())) {
      try {
        StoredSecret record = decode(s);
        versions += record.versions().size();
        bytes += record.envelopeBytes();
      } catch (SecretsManagerException unreadable) {
        // Left for an administrator to restore (docs/STORES.md).
      }
    }
    return new Usage(versions, bytes);
  }

  /**
   * Labels the records written before records carried their namespace (by an earlier release), so
   * that {@link #usage} counts them; returns how many. Run once at start: a record another writer
   * changes meanwhile is labelled by that write.
   */
  public int labelRecordsByNamespace() {
    int labelled = 0;
    for (Secret s :
        call(
            () ->
                secrets()
                    .withLabel(LABEL_STORE, "record")
                    .withoutLabel(LABEL_NAMESPACE)
                    .list()
                    .getItems())) {
      try {
        update(decode(s));
        labelled++;
      } catch (StoreConflictException | SecretsManagerException e) {
        // Changed meanwhile (and labelled by that write), or unreadable (left for an
        // administrator).
      }
    }
    return labelled;
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          Secret,
          io.fabric8.kubernetes.api.model.SecretList,
          io.fabric8.kubernetes.client.dsl.Resource<Secret>>
      secrets() {
    return client.secrets().inNamespace(namespace);
  }

  private SecretBuilder recordObject(StoredSecret secret) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(recordName(secret.id()))
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/part-of", "managedsecret-operator")
        .addToLabels(LABEL_STORE, "record")
        .addToLabels(LABEL_STORE_ID, storeId(secret.id()))
        .addToLabels(LABEL_NAMESPACE, secret.id().namespace())
        .addToAnnotations(NAMESPACE_ANNOTATION, secret.id().namespace())
        .addToAnnotations(NAME_ANNOTATION, secret.id().name())
        .endMetadata()
        .withType(TYPE)
        .withData(
            Map.of(RECORD_KEY, Base64.getEncoder().encodeToString(RecordCodec.encode(secret))));
  }

  private static StoredSecret decode(Secret head) {
    Map<String, String> annotations = head.getMetadata().getAnnotations();
    SecretId id =
        new SecretId(
            String.valueOf(annotations == null ? null : annotations.get(NAMESPACE_ANNOTATION)),
            String.valueOf(
                annotations == null
                    ? head.getMetadata().getName()
                    : annotations.get(NAME_ANNOTATION)));
    String record = head.getData() == null ? null : head.getData().get(RECORD_KEY);
    byte[] json;
    try {
      json = Base64.getDecoder().decode(record == null ? "" : record);
    } catch (IllegalArgumentException e) {
      throw RecordCodec.unreadable(id, "it is not base64");
    }
    return RecordCodec.decode(json, head.getMetadata().getResourceVersion(), id);
  }

  /** A stable, name-safe id for a secret: the store never puts tenant names in object names. */
  static String storeId(SecretId id) {
    return sha256Hex(id.namespace() + "\n" + id.name()).substring(0, 40);
  }

  static String recordName(SecretId id) {
    return "ms-" + storeId(id);
  }

  static String versionName(SecretId id, String versionId) {
    return "ms-" + storeId(id) + "-" + versionHash(versionId);
  }

  /** The object of a version's envelope: revision 0 is the one it was created with. */
  static String versionName(SecretId id, String versionId, int revision) {
    return revision == 0 ? versionName(id, versionId) : versionName(id, versionId) + "-" + revision;
  }

  static String versionHash(String versionId) {
    return sha256Hex(versionId).substring(0, 16);
  }

  private static String sha256Hex(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T call(Supplier<T> request) {
    try {
      return request.get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        throw e;
      }
      throw new StoreUnavailableException(
          "The Kubernetes store could not be reached (" + e.getCode() + ")", e);
    }
  }
}
