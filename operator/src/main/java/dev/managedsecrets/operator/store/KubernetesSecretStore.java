package dev.managedsecrets.operator.store;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.Incarnations;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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
import java.util.regex.Pattern;

/**
 * The default store: Secrets in the operator's own namespace, never in a tenant's. Each name of a
 * namespace has one record object, which holds the record of each namespace incarnation that has
 * one under that name ({@code record.json} for a record made before incarnations were recorded,
 * {@code record.<incarnation>.json} for the others: usually just one), so that every record of a
 * name is read at once. Each version has one object (its envelope), named after the record's
 * namespace, name and incarnation, so a full history of 100 versions of 64 KiB stays far below the
 * API server's object size limit and the versions of two incarnations never meet. The record object
 * changes only by updates that carry its resourceVersion. Record objects are labelled with their
 * secret's namespace, so a namespace's use is one label-selected list of its record objects, whose
 * records list every version with its envelope's size: no envelope is read to count.
 */
public final class KubernetesSecretStore implements SecretStore {

  /** The label and type of every object of the store (records and envelopes). */
  public static final String LABEL_STORE = "managedsecrets.dev/store";

  static final String LABEL_STORE_ID = "managedsecrets.dev/store-id";
  static final String LABEL_VERSION_OF = "managedsecrets.dev/version-of";
  static final String LABEL_NAMESPACE = "managedsecrets.dev/namespace";
  static final String RECORD_KEY = "record.json";
  private static final Pattern RECORD_KEYS =
      Pattern.compile("record(?:\\.([-_a-zA-Z0-9]+))?\\.json");
  static final String ENVELOPE_KEY = "envelope";
  static final String NAMESPACE_ANNOTATION = "managedsecrets.dev/namespace";
  static final String NAME_ANNOTATION = "managedsecrets.dev/secret-name";
  public static final String TYPE = "managedsecrets.dev/store";

  private final KubernetesClient client;
  private final String namespace;

  private final RecordReadCache readCache;

  public KubernetesSecretStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.readCache =
        new RecordReadCache(
            () -> secrets().withLabel(LABEL_STORE, "record"), KubernetesSecretStore::decode);
  }

  @Override
  public Optional<StoredSecret> find(SecretId id) {
    return findByName(id).stream().filter(r -> r.id().equals(id)).findFirst();
  }

  @Override
  public List<StoredSecret> findByName(SecretId id) {
    Secret head = call(() -> secrets().withName(recordName(id)).get());
    return head == null ? List.of() : decode(head);
  }

  /**
   * As {@link #findByName}, served from the record objects this store's watch keeps ({@link
   * RecordReadCache}): no API request for a record read again.
   */
  @Override
  public List<StoredSecret> findByNameToRead(SecretId id) {
    String name = recordName(id);
    return readCache.read(name, () -> call(() -> secrets().withName(name).get()));
  }

  @Override
  public void close() {
    readCache.close();
  }

  /** Reads of {@link #findByNameToRead} served from the watch's records. */
  public long readsFromWatch() {
    return readCache.readsFromWatch();
  }

  /** Reads of {@link #findByNameToRead} that went to the API server. */
  public long readsFromServer() {
    return readCache.readsFromServer();
  }

  @Override
  public StoredSecret create(StoredSecret secret) {
    return create(secret, Map.of());
  }

  /**
   * The record of a new secret and its first version in one write when the envelope is kept inline
   * (one create of the record object); otherwise as {@link SecretStore#createWithVersion}.
   */
  @Override
  public StoredSecret createWithVersion(StoredSecret next, String versionId, byte[] envelope) {
    if (!Inline.fits(next, versionId, envelope)) {
      return SecretStore.super.createWithVersion(next, versionId, envelope);
    }
    return create(
        Inline.listed(next, versionId, envelope.length),
        Map.of(Inline.key(next.id(), versionId), Inline.encode(envelope)));
  }

  /** Creates the record, with these inline envelopes, beside the name's other records. */
  private StoredSecret create(StoredSecret secret, Map<String, String> inline) {
    Secret head = recordObject(secret.id(), List.of(secret)).addToData(inline).build();
    try {
      return decodeOne(written(call(() -> secrets().resource(head).create())), secret.id());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    // Records of the name exist: the new one goes beside those that other incarnations hold.
    Secret existing = call(() -> secrets().withName(recordName(secret.id())).get());
    List<StoredSecret> records = existing == null ? null : decode(existing);
    if (records == null
        || records.stream()
            .anyMatch(
                r ->
                    r.id().equals(secret.id())
                        || !Incarnations.heldByAnother(r, String.valueOf(secret.namespaceUid())))) {
      throw new StoreConflictException("The record of " + secret.id() + " already exists");
    }
    List<StoredSecret> all = new ArrayList<>(records);
    all.add(secret);
    return write(existing.getMetadata().getResourceVersion(), secret.id(), all, inline);
  }

  @Override
  public StoredSecret update(StoredSecret secret) {
    return update(secret, Map.of());
  }

  /** As {@link #update(StoredSecret)}, setting (or, for a null value, removing) these data keys. */
  private StoredSecret update(StoredSecret secret, Map<String, String> inline) {
    if (secret.revision() == null) {
      throw new IllegalArgumentException("update needs the revision it was read at");
    }
    String resourceVersion = secret.revision();
    List<StoredSecret> all = List.of(secret);
    if (resourceVersion.endsWith(SHARED)) {
      // The object holds the records of other incarnations too: they are written back as they are.
      resourceVersion = resourceVersion.substring(0, resourceVersion.length() - SHARED.length());
      Secret head = call(() -> secrets().withName(recordName(secret.id())).get());
      if (head == null || !resourceVersion.equals(head.getMetadata().getResourceVersion())) {
        throw new StoreConflictException("The record of " + secret.id() + " changed meanwhile");
      }
      all = decode(head).stream().map(r -> r.id().equals(secret.id()) ? secret : r).toList();
    }
    return write(resourceVersion, secret.id(), all, inline);
  }

  /**
   * Adds a version in one write when its envelope is kept inline: the record and the envelope in
   * one conditional patch of the record object. A larger one gets its own object first, as {@link
   * SecretStore#addVersion} does.
   */
  @Override
  public StoredSecret addVersion(StoredSecret next, String versionId, byte[] envelope) {
    if (!Inline.fits(next, versionId, envelope)) {
      return SecretStore.super.addVersion(next, versionId, envelope);
    }
    StoredSecret listed = Inline.listed(next, versionId, envelope.length);
    return update(listed, Map.of(Inline.key(next.id(), versionId), Inline.encode(envelope)));
  }

  /** A record object this store just wrote, kept for its reads. */
  private Secret written(Secret record) {
    readCache.wrote(record);
    return record;
  }

  /**
   * Writes {@code records} into the record object, only if it is still at {@code resourceVersion}:
   * a JSON merge patch that carries that resourceVersion (the API server refuses it from any
   * other), so the envelopes the object keeps inline stay as they are unless {@code inline} sets
   * (or, with a null value, removes) them.
   */
  private StoredSecret write(
      String resourceVersion, SecretId id, List<StoredSecret> records, Map<String, String> inline) {
    Secret head =
        recordObject(id, records)
            .editMetadata()
            .withResourceVersion(resourceVersion)
            .endMetadata()
            .build();
    String patch = Inline.mergePatch(head, inline);
    try {
      return decodeOne(
          written(
              call(
                  () ->
                      secrets()
                          .withName(head.getMetadata().getName())
                          .patch(PatchContext.of(PatchType.JSON_MERGE), patch))),
          id);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        throw new StoreConflictException("The record of " + id + " changed meanwhile");
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
   * Re-encryption: a new envelope that fits inline is written into the record object by the same
   * conditional patch that points the record at it (under the version's next inline revision); each
   * other one gets a new immutable object (the version's next envelope revision; no object is ever
   * replaced) before that patch. The objects of the old envelopes are removed after; when the patch
   * fails, the new ones are.
   */
  @Override
  public StoredSecret replaceEnvelopes(StoredSecret next, Map<String, byte[]> envelopes) {
    Map<String, Integer> written = new LinkedHashMap<>();
    Map<String, Integer> revisions = new LinkedHashMap<>();
    Map<String, String> inline = new LinkedHashMap<>();
    Map<String, Integer> sizes = new LinkedHashMap<>();
    envelopes.forEach((versionId, envelope) -> sizes.put(versionId, envelope.length));
    StoredSecret out;
    try {
      StoredSecret sized = next.withEnvelopeSizes(sizes);
      for (Map.Entry<String, byte[]> e : envelopes.entrySet()) {
        String versionId = e.getKey();
        int old =
            next.version(versionId)
                .map(StoredVersion::envelopeRevision)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "the record of " + next.id() + " does not list " + versionId));
        if (Inline.fits(sized, versionId, e.getValue())) {
          revisions.put(versionId, Inline.nextRevision(old));
          inline.put(Inline.key(next.id(), versionId), Inline.encode(e.getValue()));
        } else {
          int revision =
              createEnvelope(next.id(), versionId, Inline.is(old) ? 1 : old + 1, e.getValue());
          written.put(versionId, revision);
          revisions.put(versionId, revision);
          if (Inline.is(old)) {
            inline.put(Inline.key(next.id(), versionId), null);
          }
        }
      }
      out =
          update(
              sized.withVersions(
                  sized.versions().stream()
                      .map(
                          v ->
                              revisions.containsKey(v.versionId())
                                  ? v.withEnvelopeRevision(revisions.get(v.versionId()))
                                  : v)
                      .toList(),
                  next.lastChangedDate()),
              inline);
    } catch (StoreConflictException e) {
      // Refused for certain: nothing points at the new objects.
      written.forEach(
          (versionId, revision) -> deleteQuietly(versionName(next.id(), versionId, revision)));
      throw e;
    }
    // Nothing points at the old envelopes' objects any more.
    for (StoredVersion v : next.versions()) {
      if (revisions.containsKey(v.versionId()) && !Inline.is(v.envelopeRevision())) {
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
    String key = Inline.is(revision) ? Inline.key(id, versionId) : ENVELOPE_KEY;
    String object = Inline.is(revision) ? recordName(id) : versionName(id, versionId, revision);
    Secret version = call(() -> secrets().withName(object).get());
    if (version == null || version.getData() == null || !version.getData().containsKey(key)) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
    }
    try {
      return Base64.getDecoder().decode(version.getData().get(key));
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

  /**
   * Removes what retention dropped where the record kept it: the envelopes kept inline in one patch
   * of the record object (no precondition: the record no longer lists them, and a version id is
   * never used again), the others as {@link #deleteVersions} does.
   */
  @Override
  public void deleteRemoved(SecretId id, List<StoredVersion> removed) {
    Map<String, String> inline = new LinkedHashMap<>();
    List<String> objects = new ArrayList<>();
    for (StoredVersion v : removed) {
      if (Inline.is(v.envelopeRevision())) {
        inline.put(Inline.key(id, v.versionId()), null);
      } else {
        objects.add(v.versionId());
      }
    }
    if (!inline.isEmpty()) {
      List<String> listed =
          find(id)
              .map(s -> s.versions().stream().map(StoredVersion::versionId).toList())
              .orElse(List.of());
      removed.stream()
          .filter(v -> listed.contains(v.versionId()))
          .forEach(v -> inline.remove(Inline.key(id, v.versionId())));
      if (!inline.isEmpty()) {
        call(
            () ->
                secrets()
                    .withName(recordName(id))
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Inline.dataPatch(inline)));
      }
    }
    if (!objects.isEmpty()) {
      deleteVersions(id, objects);
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
  public void purge(StoredSecret read) {
    SecretId id = read.id();
    String resourceVersion = read.revision();
    if (resourceVersion.endsWith(SHARED)) {
      resourceVersion = resourceVersion.substring(0, resourceVersion.length() - SHARED.length());
    }
    String expected = resourceVersion;
    Secret head = call(() -> secrets().withName(recordName(id)).get());
    if (head != null) {
      if (!expected.equals(head.getMetadata().getResourceVersion())) {
        throw new StoreConflictException("The record of " + id + " changed since it was read");
      }
      List<StoredSecret> others = decode(head).stream().filter(r -> !r.id().equals(id)).toList();
      try {
        if (others.isEmpty()) {
          call(() -> secrets().withName(recordName(id)).lockResourceVersion(expected).delete());
          readCache.forgot(recordName(id), expected);
        } else {
          // The records of other incarnations of the name stay; this one and the envelopes it
          // keeps inline go.
          Map<String, String> gone = new LinkedHashMap<>();
          gone.put(recordKey(id), null);
          read.versions().stream()
              .filter(v -> Inline.is(v.envelopeRevision()))
              .forEach(v -> gone.put(Inline.key(id, v.versionId()), null));
          write(expected, others.get(0).id(), others, gone);
        }
      } catch (KubernetesClientException e) {
        throw new StoreConflictException("The record of " + id + " changed since it was read");
      }
    }
    // The record is gone: its versions go now (a crash here leaves versions no record lists,
    // which the next purge of the name removes with them).
    call(
        () ->
            secrets()
                .withLabel(LABEL_STORE, "version")
                .withLabel(LABEL_STORE_ID, storeId(id))
                .delete());
  }

  @Override
  public List<StoredSecret> list() {
    List<StoredSecret> out = new ArrayList<>();
    for (Secret s : call(() -> secrets().withLabel(LABEL_STORE, "record").list().getItems())) {
      out.addAll(decode(s));
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
        for (StoredSecret record : decode(s)) {
          versions += record.versions().size();
          bytes += record.envelopeBytes();
        }
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
        // One write relabels the object, which holds every incarnation's record of the name.
        List<StoredSecret> records = decode(s);
        if (!records.isEmpty()) {
          update(records.get(0));
          labelled++;
        }
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

  /** The object that holds the records of a name, one data key per incarnation. */
  private SecretBuilder recordObject(SecretId id, List<StoredSecret> records) {
    Map<String, String> data = new LinkedHashMap<>();
    for (StoredSecret r : records) {
      data.put(recordKey(r.id()), Base64.getEncoder().encodeToString(RecordCodec.encode(r)));
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(recordName(id))
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/part-of", "managedsecret-operator")
        .addToLabels(LABEL_STORE, "record")
        .addToLabels(LABEL_STORE_ID, storeId(new SecretId(id.namespace(), id.name())))
        .addToLabels(LABEL_NAMESPACE, id.namespace())
        .addToAnnotations(NAMESPACE_ANNOTATION, id.namespace())
        .addToAnnotations(NAME_ANNOTATION, id.name())
        .endMetadata()
        .withType(TYPE)
        .withData(data);
  }

  /** The data key of a record in its name's object. */
  static String recordKey(SecretId id) {
    if (id.incarnation().isEmpty()) {
      return RECORD_KEY;
    }
    String key = "record." + id.incarnation() + ".json";
    if (!RECORD_KEYS.matcher(key).matches()) {
      throw new IllegalArgumentException("incarnation " + id.incarnation() + " is not a uid");
    }
    return key;
  }

  /**
   * The records an object holds. Their revision is the object's resourceVersion, marked {@link
   * #SHARED} when it holds more than one: an update then writes the others back as they are.
   */
  static List<StoredSecret> decode(Secret head) {
    Map<String, String> annotations = head.getMetadata().getAnnotations();
    String ns = String.valueOf(annotations == null ? null : annotations.get(NAMESPACE_ANNOTATION));
    String name =
        String.valueOf(
            annotations == null ? head.getMetadata().getName() : annotations.get(NAME_ANNOTATION));
    Map<String, String> data = head.getData() == null ? Map.of() : head.getData();
    List<String> keys =
        data.keySet().stream().filter(k -> RECORD_KEYS.matcher(k).matches()).sorted().toList();
    String revision = head.getMetadata().getResourceVersion() + (keys.size() > 1 ? SHARED : "");
    List<StoredSecret> out = new ArrayList<>();
    for (String key : keys) {
      java.util.regex.Matcher m = RECORD_KEYS.matcher(key);
      m.matches();
      SecretId id = new SecretId(ns, name, m.group(1) == null ? "" : m.group(1));
      byte[] json;
      try {
        json = Base64.getDecoder().decode(data.get(key));
      } catch (IllegalArgumentException e) {
        throw RecordCodec.unreadable(id, "it is not base64");
      }
      out.add(RecordCodec.decode(json, revision, id));
    }
    if (keys.isEmpty()) {
      throw RecordCodec.unreadable(new SecretId(ns, name), "it has no " + RECORD_KEY);
    }
    return out;
  }

  private static StoredSecret decodeOne(Secret head, SecretId id) {
    return decode(head).stream()
        .filter(r -> r.id().equals(id))
        .findFirst()
        .orElseThrow(
            () -> new StoreConflictException("The record of " + id + " changed meanwhile"));
  }

  /** Marks the revision of a record whose object holds the records of other incarnations too. */
  private static final String SHARED = "+";

  /**
   * A stable, name-safe id for a secret of one incarnation: the store never puts tenant names in
   * object names. A record made before incarnations has the id it always had.
   */
  static String storeId(SecretId id) {
    String key = id.namespace() + "\n" + id.name();
    return sha256Hex(id.incarnation().isEmpty() ? key : key + "\n" + id.incarnation())
        .substring(0, 40);
  }

  /** The object of a name's records, whatever their incarnation. */
  static String recordName(SecretId id) {
    return "ms-" + storeId(new SecretId(id.namespace(), id.name()));
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
