package dev.managedsecrets.operator.it;

import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.RecordMac;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.operator.kms.KeyMetadata;
import dev.managedsecrets.operator.kms.KeyState;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.kms.LocalKeyProvider;
import dev.managedsecrets.operator.kms.ProviderKms;
import dev.managedsecrets.operator.kms.TestKeyrings;
import dev.managedsecrets.operator.store.AuthenticatedSecretStore;
import dev.managedsecrets.operator.store.KubernetesSecretStore;
import dev.managedsecrets.operator.store.SecretStore;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the operator wrote, read back behind its back: the store's records and envelopes (the
 * Kubernetes store, or another), and the keyring Secret, opened with the test's own KMS over that
 * keyring (local keys only).
 */
final class StoreView {

  private final KubernetesClient client;
  private final SecretStore store;

  /** The default store: Secrets in the operator's namespace. */
  StoreView(KubernetesClient client) {
    this(client, new KubernetesSecretStore(client, TestCluster.OPERATOR_NAMESPACE));
  }

  /** Another store (PostgreSQL), with the keyring of this cluster. */
  StoreView(KubernetesClient client, SecretStore store) {
    this.client = client;
    this.store = store;
  }

  /**
   * The store as the operator writes it: its records authenticated under the keyring's key, as a
   * test that stands in for the operator (a rotation the operator does not make yet) writes them.
   */
  SecretStore store() {
    return new AuthenticatedSecretStore(store, new RecordMac(new KeyedHash(keyring().hashKey())));
  }

  /** The store's Secrets, records and versions: what the documented backup takes. */
  List<Secret> objects() {
    return client
        .secrets()
        .inNamespace(TestCluster.OPERATOR_NAMESPACE)
        .withLabel(KubernetesSecretStore.LABEL_STORE)
        .list()
        .getItems();
  }

  /** The record that the namespace's incarnation now holds under a name. */
  Optional<StoredSecret> record(String namespace, String secretName) {
    String uid = namespaceUid(namespace);
    return records(namespace, secretName).stream().filter(r -> r.heldBy(uid)).findFirst();
  }

  /**
   * How many envelopes the store holds, wherever it keeps them (one per stored version and
   * re-encryption: an object of its own, or a data key of its record's object): a version written
   * twice, or an attempt abandoned, leaves one more.
   */
  int envelopes() {
    var objects =
        client
            .secrets()
            .inNamespace(TestCluster.OPERATOR_NAMESPACE)
            .withLabel("managedsecrets.dev/store")
            .list()
            .getItems();
    int count = 0;
    for (var o : objects) {
      String kind = o.getMetadata().getLabels().get("managedsecrets.dev/store");
      if ("version".equals(kind)) {
        count++;
      } else if ("record".equals(kind) && o.getData() != null) {
        count += (int) o.getData().keySet().stream().filter(k -> k.startsWith("envelope.")).count();
      }
    }
    return count;
  }

  Envelope envelope(StoredSecret secret, StoredVersion version) {
    return Envelope.parse(store.readVersion(secret.id(), version));
  }

  /** The keyring as the operator last wrote it. */
  Keyring keyring() {
    return TestKeyrings.keyring(
        client
            .secrets()
            .inNamespace(TestCluster.OPERATOR_NAMESPACE)
            .withName(KeyringSecret.SECRET_NAME)
            .get());
  }

  /**
   * The key of the KmsKey namespace/name, in the incarnation its namespace has now, as the operator
   * last wrote it.
   */
  Optional<Keyring.OwnedKey> ownedKey(String owner) {
    String namespace = owner.substring(0, owner.indexOf('/'));
    return keyring().ownedKey(owner, namespaceUid(namespace));
  }

  /** The uid of a namespace's incarnation now. */
  String namespaceUid(String namespace) {
    return client.namespaces().withName(namespace).get().getMetadata().getUid();
  }

  /** Every record stored under a name in a namespace, whatever incarnation holds it. */
  List<StoredSecret> records(String namespace, String secretName) {
    return store.findByName(new SecretId(namespace, secretName));
  }

  /**
   * Decrypts a stored version with the keyring's material, whatever the key's state, as a version
   * of its record.
   */
  String open(StoredSecret secret, StoredVersion version) {
    Keyring keyring = keyring();
    ProviderKms kms =
        new ProviderKms(
            keyring.orElse(
                ref ->
                    keyring.ownedKeys().stream()
                        .filter(k -> keyring.arn(k.keyId()).equals(ref))
                        .findFirst()
                        .map(
                            k ->
                                new KeyMetadata(
                                    k.keyId(),
                                    keyring.arn(k.keyId()),
                                    List.of(),
                                    KeyState.ENABLED,
                                    k.provider(),
                                    k.materialVersions(),
                                    null))),
            Map.of(Keyring.LOCAL, new LocalKeyProvider(keyring)));
    byte[] plaintext =
        new EnvelopeCipher(kms)
            .open(
                store.readVersion(secret.id(), version),
                EncryptionContext.forVersion(secret.arn(), version.versionId()),
                secret.id());
    // The first byte is the value's type.
    return new String(plaintext, 1, plaintext.length - 1, StandardCharsets.UTF_8);
  }
}
