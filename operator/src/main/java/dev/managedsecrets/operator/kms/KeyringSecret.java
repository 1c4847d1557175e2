package dev.managedsecrets.operator.kms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.core.crypto.Aead;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Secret that holds the operator's {@link Keyring}: {@value #SECRET_NAME} in the operator's
 * namespace, with the root key ({@code root.key}), the key for keyed hashes ({@code hash.key}) and
 * {@code keys.json}, each base64 as all Secret data. Backing the keyring up is backing up this one
 * Secret. It is made on the operator's first start; keys.json is written with the Secret's
 * resourceVersion, and when another writer got there first the Secret is read again and the change
 * applied again to what that writer left.
 */
public final class KeyringSecret implements Keyring.Storage {

  public static final String SECRET_NAME = "managedsecret-keyring";

  /** The keyring Secret's type and label, which tell it wherever a copy of it is found. */
  public static final String TYPE = "managedsecrets.dev/keyring";

  public static final String LABEL = "managedsecrets.dev/keyring";
  static final String ROOT_KEY = "root.key";
  static final String HASH_KEY = "hash.key";
  static final String KEYS = "keys.json";

  /**
   * The namespace incarnation of each KmsKey's key, by key id ({@code {"<keyId>": "<namespace
   * uid>"}}): beside keys.json, so that keys.json and its bound stay as they were. Absent while no
   * key has one (keyrings written before incarnations).
   */
  static final String INCARNATIONS = "incarnations.json";

  // The keyring's log lines keep the name they have always had.
  private static final Logger LOG = LoggerFactory.getLogger(Keyring.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WRITE_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final String namespace;
  private Secret secret;

  private KeyringSecret(Secret secret, KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.secret = secret;
  }

  /** Reads the keyring from the operator's namespace, creating it with a local default key. */
  public static Keyring loadOrCreate(KubernetesClient client, String namespace, Arns arns) {
    return loadOrCreate(client, namespace, arns, Keyring.LOCAL);
  }

  /**
   * Reads the keyring from the operator's namespace, creating it on first start: with a local
   * default key when the default provider is local, else with no key yet ({@link
   * Keyring#ensureDefaultKey} makes it in that provider).
   */
  public static Keyring loadOrCreate(
      KubernetesClient client, String namespace, Arns arns, String defaultProvider) {
    var resource = client.secrets().inNamespace(namespace).withName(SECRET_NAME);
    Secret secret = resource.get();
    if (secret == null) {
      try {
        secret =
            client
                .secrets()
                .inNamespace(namespace)
                .resource(newKeyringSecret(namespace, Keyring.LOCAL.equals(defaultProvider)))
                .create();
        LOG.info("Created keyring Secret {}/{}", namespace, SECRET_NAME);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        secret = resource.get();
      }
    }
    return open(arns, secret, client, namespace);
  }

  /**
   * Reads the keyring from the operator's namespace without ever making one (for tools, which must
   * not leave a new, empty keyring where a backup is to be restored); empty when there is none.
   */
  public static java.util.Optional<Keyring> load(
      KubernetesClient client, String namespace, Arns arns) {
    Secret secret = client.secrets().inNamespace(namespace).withName(SECRET_NAME).get();
    return secret == null
        ? java.util.Optional.empty()
        : java.util.Optional.of(open(arns, secret, client, namespace));
  }

  /** A keyring that lives only in memory, with a local default key: for tests and tools. */
  public static Keyring inMemory(Arns arns) {
    return open(arns, newKeyringSecret("in-memory", true), null, null);
  }

  /**
   * Reads a keyring from a Secret (for example a backup, to check that it opens) without writing
   * anything back: changes to it stay in memory.
   */
  public static Keyring fromSecret(Secret secret, Arns arns) {
    return open(arns, secret, null, null);
  }

  static Secret newKeyringSecret(String namespace) {
    return newKeyringSecret(namespace, true);
  }

  private static Secret newKeyringSecret(String namespace, boolean withLocalDefaultKey) {
    byte[] root = Aead.randomKey();
    List<Keyring.StoredKey> keys = Keyring.newKeys(root, withLocalDefaultKey);
    Map<String, String> data = new LinkedHashMap<>();
    data.put(ROOT_KEY, b64(root));
    data.put(HASH_KEY, b64(Aead.randomKey()));
    data.put(KEYS, b64(toJson(keys)));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(SECRET_NAME)
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/part-of", "managedsecret-operator")
        .addToLabels(LABEL, "local")
        .endMetadata()
        .withType(TYPE)
        .withImmutable(false)
        .withData(data)
        .build();
  }

  /**
   * The keyring that a Secret holds; changes are written to the Secret through {@code client}, or
   * into the Secret in memory when there is no client.
   */
  private static Keyring open(Arns arns, Secret secret, KubernetesClient client, String namespace) {
    Map<String, String> data = secret.getData();
    if (data == null || !data.containsKey(ROOT_KEY) || !data.containsKey(HASH_KEY)) {
      throw new IllegalStateException(
          "Keyring Secret " + SECRET_NAME + " has no root.key or hash.key: restore it from backup");
    }
    return new Keyring(
        arns,
        Base64.getDecoder().decode(data.get(ROOT_KEY)),
        Base64.getDecoder().decode(data.get(HASH_KEY)),
        keys(data),
        new KeyringSecret(secret, client, namespace));
  }

  /**
   * Applies a change to the keys of keys.json and writes it with the Secret's resourceVersion; when
   * someone else wrote the Secret meanwhile, reads it again and applies the change again.
   */
  @Override
  public void update(UnaryOperator<List<Keyring.StoredKey>> change) {
    for (int attempt = 1; ; attempt++) {
      List<Keyring.StoredKey> next = change.apply(keys(secret.getData()));
      Map<String, String> data = new LinkedHashMap<>(secret.getData());
      data.put(KEYS, b64(toJson(next)));
      Map<String, String> incarnations = new TreeMap<>();
      next.stream()
          .filter(k -> k.namespaceUid() != null)
          .forEach(k -> incarnations.put(k.keyId(), k.namespaceUid()));
      if (incarnations.isEmpty()) {
        data.remove(INCARNATIONS);
      } else {
        data.put(INCARNATIONS, b64(toJson(incarnations)));
      }
      if (client == null) {
        secret.setData(data);
        return;
      }
      Secret changed = new SecretBuilder(secret).withData(data).build();
      try {
        secret = client.secrets().inNamespace(namespace).resource(changed).update();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == WRITE_ATTEMPTS) {
          throw new SecretsManagerException(
              AwsError.INTERNAL_SERVICE_ERROR,
              "Could not write keyring Secret "
                  + namespace
                  + "/"
                  + SECRET_NAME
                  + " (the Kubernetes API answered "
                  + e.getCode()
                  + "); retrying.",
              e);
        }
        secret = client.secrets().inNamespace(namespace).withName(SECRET_NAME).get();
      }
    }
  }

  /**
   * The keys of keys.json as the Secret holds it (base64), each with its namespace incarnation from
   * incarnations.json; none when it has none.
   */
  private static List<Keyring.StoredKey> keys(Map<String, String> data) {
    List<Keyring.StoredKey> keys = read(data.get(KEYS), new TypeReference<>() {}, List.of());
    Map<String, String> incarnations =
        read(data.get(INCARNATIONS), new TypeReference<>() {}, Map.of());
    return keys.stream()
        .map(
            k ->
                incarnations.containsKey(k.keyId())
                    ? k.withNamespaceUid(incarnations.get(k.keyId()))
                    : k)
        .toList();
  }

  private static <T> T read(String base64Json, TypeReference<T> type, T none) {
    try {
      return base64Json == null
          ? none
          : JSON.readValue(Base64.getDecoder().decode(base64Json), type);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "Keyring Secret " + SECRET_NAME + " has an unreadable " + KEYS + " or " + INCARNATIONS);
    }
  }

  private static byte[] toJson(Object keys) {
    try {
      return JSON.writeValueAsBytes(keys);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
