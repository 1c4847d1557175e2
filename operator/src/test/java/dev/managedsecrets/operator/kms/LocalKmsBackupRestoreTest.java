package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyring's backup and restore as docs/KMS.md describes it, against an API server in this JVM
 * (the embedded API server): export the keyring Secret, lose the operator's state, import it, and
 * every old version opens again.
 */
class LocalKmsBackupRestoreTest {

  static final String NAMESPACE = "managedsecret-system";
  static final Arns ARNS = new Arns("k8s", "local", "123456789012");

  private EmbeddedApiServer api;
  private KubernetesClient client;

  @BeforeEach
  void startApiServer() {
    api = EmbeddedApiServer.start(0);
    client = api.client();
  }

  @AfterEach
  void stopApiServer() {
    api.close(); // closes the client too
  }

  @Test
  void anExportedKeyringImportedIntoAWipedClusterOpensEveryOldVersion(@TempDir Path backups)
      throws IOException {
    // An operator at work: versions sealed under material 1, then under material 2 after a
    // rotation of the default key.
    Keyring keyring = KeyringSecret.loadOrCreate(client, NAMESPACE, ARNS);
    LocalKeyProvider local = new LocalKeyProvider(keyring);
    EnvelopeCipher cipher = new EnvelopeCipher(new ProviderKms(keyring, Map.of("local", local)));
    String keyArn = keyring.defaultKey().arn();
    Map<EncryptionContext, byte[]> versions = new LinkedHashMap<>();
    EncryptionContext v1 = context("v1");
    versions.put(v1, cipher.seal(keyArn, v1, value("first")));
    keyring.rotate(ProviderKms.DEFAULT_ALIAS, local);
    EncryptionContext v2 = context("v2");
    versions.put(v2, cipher.seal(keyArn, v2, value("second")));
    assertThat(Envelope.parse(versions.get(v1)).materialVersion()).isEqualTo(1);
    assertThat(Envelope.parse(versions.get(v2)).materialVersion()).isEqualTo(2);
    byte[] hashKey = keyring.hashKey();

    // Backup: the Secret as `kubectl get -o yaml` prints it, less the fields the API server owns.
    Path backup = backups.resolve("keyring-backup.yaml");
    Files.writeString(backup, Serialization.asYaml(exportable(currentKeyring())));
    assertThat(Files.readString(backup)).doesNotContain("resourceVersion", "uid:");

    // Disaster: the keyring is gone from the API server and the operator starts afresh, which
    // makes a new, empty keyring: nothing old opens under it.
    client.secrets().inNamespace(NAMESPACE).withName(KeyringSecret.SECRET_NAME).delete();
    assertThat(currentKeyring()).isNull();
    Keyring fresh = KeyringSecret.loadOrCreate(client, NAMESPACE, ARNS);
    EnvelopeCipher freshCipher =
        new EnvelopeCipher(new ProviderKms(fresh, Map.of("local", new LocalKeyProvider(fresh))));
    assertThat(fresh.defaultKey().arn()).isNotEqualTo(keyArn);
    assertThatThrownBy(() -> freshCipher.open(versions.get(v1), v1))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE));

    // Restore: the new keyring is replaced by the backup before the operator starts again.
    client.secrets().inNamespace(NAMESPACE).withName(KeyringSecret.SECRET_NAME).delete();
    Secret imported =
        Serialization.unmarshal(Files.readString(backup, StandardCharsets.UTF_8), Secret.class);
    client.secrets().inNamespace(NAMESPACE).resource(imported).create();

    Keyring restored = KeyringSecret.loadOrCreate(client, NAMESPACE, ARNS);
    LocalKeyProvider restoredLocal = new LocalKeyProvider(restored);
    EnvelopeCipher restoredCipher =
        new EnvelopeCipher(new ProviderKms(restored, Map.of("local", restoredLocal)));
    assertThat(restored.defaultKey().arn()).isEqualTo(keyArn);
    assertThat(restored.defaultKey().materialVersions()).containsExactly(1, 2);
    assertThat(restored.hashKey()).as("hash key, so no value looks changed").isEqualTo(hashKey);
    assertThat(restoredCipher.open(versions.get(v1), v1)).isEqualTo(value("first"));
    assertThat(restoredCipher.open(versions.get(v2), v2)).isEqualTo(value("second"));
    byte[] after = restoredCipher.seal(keyArn, context("v3"), value("third"));
    assertThat(Envelope.parse(after).materialVersion()).isEqualTo(2);
  }

  @Test
  void twoWritersOfTheKeyringDoNotLoseEachOthersMaterial() {
    Keyring first = KeyringSecret.loadOrCreate(client, NAMESPACE, ARNS);
    Keyring second = KeyringSecret.loadOrCreate(client, NAMESPACE, ARNS);
    String keyId = first.defaultKey().keyId();

    first.rotate(keyId, new LocalKeyProvider(first));
    // The second writer still holds the Secret's old resourceVersion: its write conflicts, it
    // reads the Secret again and adds its material after the first writer's.
    KeyMetadata rotated = second.rotate(keyId, new LocalKeyProvider(second));

    assertThat(rotated.materialVersions()).containsExactly(1, 2, 3);
    Keyring reread = KeyringSecret.loadOrCreate(client, NAMESPACE, ARNS);
    assertThat(reread.defaultKey().materialVersions()).containsExactly(1, 2, 3);
  }

  private Secret currentKeyring() {
    return client.secrets().inNamespace(NAMESPACE).withName(KeyringSecret.SECRET_NAME).get();
  }

  /** What docs/KMS.md's backup command keeps of the Secret. */
  private static Secret exportable(Secret secret) {
    Secret copy = Serialization.clone(secret);
    copy.getMetadata().setResourceVersion(null);
    copy.getMetadata().setUid(null);
    copy.getMetadata().setCreationTimestamp(null);
    copy.getMetadata().setManagedFields(null);
    copy.getMetadata().setGeneration(null);
    return copy;
  }

  private static EncryptionContext context(String version) {
    return EncryptionContext.forVersion(
        "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf", version);
  }

  private static byte[] value(String s) {
    return ("S" + s).getBytes(StandardCharsets.UTF_8);
  }
}
