package dev.managedsecrets.operator.kms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.operator.crypto.Aead;
import dev.managedsecrets.operator.secret.Arns;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's keyring: one Secret in the operator's namespace holding the root key, the key for
 * keyed hashes, and every KMS key's material wrapped under the root key. Created on first start
 * with the default key alias/managedsecrets. Backing it up is backing up this one Secret.
 */
public final class Keyring {

  public static final String SECRET_NAME = "managedsecret-keyring";
  static final String ROOT_KEY = "root.key";
  static final String HASH_KEY = "hash.key";
  static final String KEYS = "keys.json";

  private static final Logger LOG = LoggerFactory.getLogger(Keyring.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Key material of one version, unwrapped in memory. */
  public record Material(int version, byte[] bytes) {}

  /** A KMS key with its material versions, newest last. */
  public record Key(String keyId, String arn, List<String> aliases, List<Material> materials) {
    public Material newestMaterial() {
      return materials.get(materials.size() - 1);
    }

    public Optional<Material> material(int version) {
      return materials.stream().filter(m -> m.version() == version).findFirst();
    }
  }

  /** How a key is written in keys.json: its material stays wrapped under the root key. */
  record StoredKey(String keyId, List<String> aliases, Map<Integer, String> materials) {}

  private final byte[] hashKey;
  private final Map<String, Key> keysByArn;
  private final Key defaultKey;

  private Keyring(byte[] hashKey, Map<String, Key> keysByArn, Key defaultKey) {
    this.hashKey = hashKey;
    this.keysByArn = keysByArn;
    this.defaultKey = defaultKey;
  }

  /** Reads the keyring from the operator's namespace, creating it on first start. */
  public static Keyring loadOrCreate(KubernetesClient client, String namespace, Arns arns) {
    var resource = client.secrets().inNamespace(namespace).withName(SECRET_NAME);
    Secret secret = resource.get();
    if (secret == null) {
      try {
        secret =
            client.secrets().inNamespace(namespace).resource(newKeyringSecret(namespace)).create();
        LOG.info(
            "Created keyring Secret {}/{} with the default key {}",
            namespace,
            SECRET_NAME,
            LocalKms.DEFAULT_ALIAS);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        secret = resource.get();
      }
    }
    return fromSecret(secret, arns);
  }

  static Secret newKeyringSecret(String namespace) {
    byte[] root = Aead.randomKey();
    String keyId = UUID.randomUUID().toString();
    StoredKey key =
        new StoredKey(
            keyId,
            List.of(LocalKms.DEFAULT_ALIAS),
            Map.of(1, b64(Aead.encrypt(root, Aead.randomKey(), materialAad(keyId, 1)))));
    Map<String, String> data = new LinkedHashMap<>();
    data.put(ROOT_KEY, b64(root));
    data.put(HASH_KEY, b64(Aead.randomKey()));
    try {
      data.put(KEYS, b64(JSON.writeValueAsBytes(List.of(key))));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(SECRET_NAME)
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/part-of", "managedsecret-operator")
        .addToLabels("managedsecrets.dev/keyring", "local")
        .endMetadata()
        .withType("managedsecrets.dev/keyring")
        .withImmutable(false)
        .withData(data)
        .build();
  }

  static Keyring fromSecret(Secret secret, Arns arns) {
    Map<String, String> data = secret.getData();
    if (data == null || !data.containsKey(ROOT_KEY) || !data.containsKey(HASH_KEY)) {
      throw new IllegalStateException(
          "Keyring Secret " + SECRET_NAME + " has no root.key or hash.key: restore it from backup");
    }
    byte[] root = Base64.getDecoder().decode(data.get(ROOT_KEY));
    byte[] hash = Base64.getDecoder().decode(data.get(HASH_KEY));
    List<StoredKey> stored;
    try {
      stored = JSON.readValue(Base64.getDecoder().decode(data.get(KEYS)), new TypeReference<>() {});
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "Keyring Secret " + SECRET_NAME + " has an unreadable keys.json");
    }
    Map<String, Key> keys = new LinkedHashMap<>();
    Key defaultKey = null;
    for (StoredKey s : stored) {
      List<Material> materials = new ArrayList<>();
      s.materials().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              e -> {
                try {
                  materials.add(
                      new Material(
                          e.getKey(),
                          Aead.decrypt(
                              root,
                              Base64.getDecoder().decode(e.getValue()),
                              materialAad(s.keyId(), e.getKey()))));
                } catch (GeneralSecurityException ex) {
                  throw new IllegalStateException(
                      "Key material of KMS key " + s.keyId() + " does not open under the root key");
                }
              });
      Key key = new Key(s.keyId(), arns.keyArn(s.keyId()), s.aliases(), materials);
      keys.put(key.arn(), key);
      if (s.aliases().contains(LocalKms.DEFAULT_ALIAS)) {
        defaultKey = key;
      }
    }
    java.util.Arrays.fill(root, (byte) 0);
    if (defaultKey == null) {
      throw new IllegalStateException("Keyring has no key with alias " + LocalKms.DEFAULT_ALIAS);
    }
    return new Keyring(hash, keys, defaultKey);
  }

  public byte[] hashKey() {
    return hashKey.clone();
  }

  public Key defaultKey() {
    return defaultKey;
  }

  public Optional<Key> key(String arn) {
    return Optional.ofNullable(keysByArn.get(arn));
  }

  private static byte[] materialAad(String keyId, int version) {
    return ("managedsecrets keyring v1\n" + keyId + "\n" + version)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
