package dev.managedsecrets.operator.store;

import dev.managedsecrets.operator.secret.AwsError;
import dev.managedsecrets.operator.secret.SecretId;
import dev.managedsecrets.operator.secret.SecretsManagerException;
import dev.managedsecrets.operator.secret.StoredSecret;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The default store: Secrets in the operator's own namespace, never in a tenant's. Each secret has
 * one record object (its metadata, versions and labels) and one object per version (its envelope),
 * so a full history of 100 versions of 64 KiB stays far below the API server's object size limit.
 * The record changes only by updates that carry its resourceVersion.
 */
public final class KubernetesSecretStore implements SecretStore {

  static final String LABEL_STORE = "managedsecrets.dev/store";
  static final String LABEL_STORE_ID = "managedsecrets.dev/store-id";
  static final String RECORD_KEY = "record.json";
  static final String ENVELOPE_KEY = "envelope";
  static final String TYPE = "managedsecrets.dev/store";

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
    Secret version =
        new SecretBuilder()
            .withNewMetadata()
            .withName(versionName(id, versionId))
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/part-of", "managedsecret-operator")
            .addToLabels(LABEL_STORE, "version")
            .addToLabels(LABEL_STORE_ID, storeId(id))
            .addToAnnotations("managedsecrets.dev/version-id", versionId)
            .endMetadata()
            .withType(TYPE)
            .withImmutable(true)
            .withData(Map.of(ENVELOPE_KEY, Base64.getEncoder().encodeToString(envelope)))
            .build();
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

  /** A version object older than a writer needs to list it belongs to an attempt that failed. */
  private static boolean orphaned(Secret version) {
    String created = version.getMetadata().getCreationTimestamp();
    return created == null
        || java.time.Instant.parse(created).isBefore(java.time.Instant.now().minus(ORPHAN_AGE));
  }

  static final java.time.Duration ORPHAN_AGE = java.time.Duration.ofMinutes(2);

  @Override
  public byte[] readVersion(SecretId id, String versionId) {
    Secret version = call(() -> secrets().withName(versionName(id, versionId)).get());
    if (version == null
        || version.getData() == null
        || !version.getData().containsKey(ENVELOPE_KEY)) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
    }
    return Base64.getDecoder().decode(version.getData().get(ENVELOPE_KEY));
  }

  @Override
  public void deleteVersions(SecretId id, List<String> versionIds) {
    List<String> listed =
        find(id).map(s -> s.versions().stream().map(v -> v.versionId()).toList()).orElse(List.of());
    for (String versionId : versionIds) {
      if (!listed.contains(versionId)) {
        call(() -> secrets().withName(versionName(id, versionId)).delete());
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
        .addToAnnotations("managedsecrets.dev/namespace", secret.id().namespace())
        .addToAnnotations("managedsecrets.dev/secret-name", secret.id().name())
        .endMetadata()
        .withType(TYPE)
        .withData(
            Map.of(RECORD_KEY, Base64.getEncoder().encodeToString(RecordCodec.encode(secret))));
  }

  private static StoredSecret decode(Secret head) {
    byte[] json = Base64.getDecoder().decode(head.getData().get(RECORD_KEY));
    return RecordCodec.decode(json, head.getMetadata().getResourceVersion());
  }

  /** A stable, name-safe id for a secret: the store never puts tenant names in object names. */
  static String storeId(SecretId id) {
    return sha256Hex(id.namespace() + "\n" + id.name()).substring(0, 40);
  }

  static String recordName(SecretId id) {
    return "ms-" + storeId(id);
  }

  static String versionName(SecretId id, String versionId) {
    return "ms-" + storeId(id) + "-" + sha256Hex(versionId).substring(0, 16);
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
