package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.crypto.DataKey;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalKmsTest {

  private static final EncryptionContext CONTEXT =
      EncryptionContext.forVersion(
          "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf", "v1");

  private Secret keyringSecret;
  private Keyring keyring;
  private LocalKms kms;
  private String defaultArn;

  @BeforeEach
  void newKeyring() {
    keyringSecret = KeyringSecret.newKeyringSecret("managedsecret-system");
    keyring = KeyringSecret.fromSecret(keyringSecret, TestKeyrings.ARNS);
    kms = new LocalKms(keyring);
    defaultArn = keyring.defaultKey().arn();
  }

  private static SecretsManagerException thrown(Runnable call) {
    try {
      call.run();
    } catch (SecretsManagerException e) {
      return e;
    }
    throw new AssertionError("expected a SecretsManagerException");
  }

  @Test
  void defaultKeyArnIsAKmsKeyArnInTheConfiguredPartitionRegionAndAccount() {
    assertThat(defaultArn)
        .isEqualTo("arn:k8s:kms:local:123456789012:key/" + keyring.defaultKey().keyId());
    assertThat(keyring.defaultKey().aliases()).containsExactly(LocalKms.DEFAULT_ALIAS);
    assertThat(LocalKms.DEFAULT_ALIAS).isEqualTo("alias/managedsecrets");
  }

  @Test
  void resolveNullGivesTheDefaultKey() {
    assertThat(kms.resolve(null, "team-a")).isEqualTo(defaultArn);
  }

  @Test
  void resolveDefaultAliasGivesTheDefaultKey() {
    assertThat(kms.resolve("alias/managedsecrets", "team-a")).isEqualTo(defaultArn);
  }

  @Test
  void resolveKeyIdGivesTheDefaultKey() {
    assertThat(kms.resolve(keyring.defaultKey().keyId(), "team-a")).isEqualTo(defaultArn);
  }

  @Test
  void resolveKeyArnGivesTheDefaultKey() {
    assertThat(kms.resolve(defaultArn, "team-a")).isEqualTo(defaultArn);
  }

  @Test
  void resolveUnknownKeyIdIsResourceNotFound() {
    SecretsManagerException e =
        thrown(() -> kms.resolve("1234abcd-12ab-34cd-56ef-1234567890ab", "team-a"));

    assertThat(e.error()).isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION);
    assertThat(e.getMessage()).contains("1234abcd-12ab-34cd-56ef-1234567890ab");
  }

  @Test
  void resolveUnknownAliasOrForeignArnIsResourceNotFound() {
    String otherKeyringArn = TestKeyrings.newKeyring().defaultKey().arn();

    assertThat(thrown(() -> kms.resolve("alias/other", "team-a")).error())
        .isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION);
    assertThat(thrown(() -> kms.resolve(otherKeyringArn, "team-a")).error())
        .isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION);
    assertThat(thrown(() -> kms.resolve("", "team-a")).error())
        .isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION);
  }

  @Test
  void generateDataKeyGivesA256BitKeyWrappedUnderTheNewestMaterial() {
    DataKey key = kms.generateDataKey(defaultArn, CONTEXT);

    assertThat(key.plaintext()).hasSize(32);
    assertThat(key.keyArn()).isEqualTo(defaultArn);
    assertThat(key.materialVersion()).isEqualTo(1);
    assertThat(key.wrapped()).hasSize(12 + 32 + 16);
    assertThat(kms.decrypt(defaultArn, 1, key.wrapped(), CONTEXT)).isEqualTo(key.plaintext());
  }

  @Test
  void everyDataKeyIsFresh() {
    DataKey a = kms.generateDataKey(defaultArn, CONTEXT);
    DataKey b = kms.generateDataKey(defaultArn, CONTEXT);

    assertThat(a.plaintext()).isNotEqualTo(b.plaintext());
    assertThat(a.wrapped()).isNotEqualTo(b.wrapped());
  }

  @Test
  void destroyOverwritesThePlaintextKey() {
    DataKey key = kms.generateDataKey(defaultArn, CONTEXT);

    key.destroy();

    assertThat(key.plaintext()).containsOnly(0);
  }

  @Test
  void decryptWithAnotherSecretArnIsDecryptionFailure() {
    DataKey key = kms.generateDataKey(defaultArn, CONTEXT);
    EncryptionContext other =
        EncryptionContext.forVersion(
            "arn:k8s:secretsmanager:local:123456789012:secret:team-b/db-AbCdEf", "v1");

    SecretsManagerException e = thrown(() -> kms.decrypt(defaultArn, 1, key.wrapped(), other));

    assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void decryptWithAnotherVersionIdIsDecryptionFailure() {
    DataKey key = kms.generateDataKey(defaultArn, CONTEXT);
    EncryptionContext other = EncryptionContext.forVersion(CONTEXT.pairs().get("SecretARN"), "v2");

    assertThat(thrown(() -> kms.decrypt(defaultArn, 1, key.wrapped(), other)).error())
        .isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void decryptWithAnEmptyOrExtraContextIsDecryptionFailure() {
    DataKey key = kms.generateDataKey(defaultArn, CONTEXT);
    Map<String, String> extra = new HashMap<>(CONTEXT.pairs());
    extra.put("Other", "x");

    assertThat(
            thrown(() -> kms.decrypt(defaultArn, 1, key.wrapped(), new EncryptionContext(Map.of())))
                .error())
        .isEqualTo(AwsError.DECRYPTION_FAILURE);
    assertThat(
            thrown(() -> kms.decrypt(defaultArn, 1, key.wrapped(), new EncryptionContext(extra)))
                .error())
        .isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void decryptWithAMaterialVersionNotInTheKeyringIsDecryptionFailure() {
    DataKey key = kms.generateDataKey(defaultArn, CONTEXT);

    SecretsManagerException e = thrown(() -> kms.decrypt(defaultArn, 2, key.wrapped(), CONTEXT));

    assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void decryptOfATamperedWrappedKeyIsDecryptionFailure() {
    DataKey key = kms.generateDataKey(defaultArn, CONTEXT);
    for (int i = 0; i < key.wrapped().length; i++) {
      byte[] tampered = key.wrapped().clone();
      tampered[i] ^= 0x01;
      assertThat(thrown(() -> kms.decrypt(defaultArn, 1, tampered, CONTEXT)).error())
          .as("wrapped byte %d flipped", i)
          .isEqualTo(AwsError.DECRYPTION_FAILURE);
    }
    assertThat(thrown(() -> kms.decrypt(defaultArn, 1, new byte[10], CONTEXT)).error())
        .isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void decryptUnderAKeyNotInTheKeyringIsDecryptionFailure() {
    Keyring other = TestKeyrings.newKeyring();
    LocalKms otherKms = new LocalKms(other);
    DataKey foreign = otherKms.generateDataKey(other.defaultKey().arn(), CONTEXT);

    SecretsManagerException e =
        thrown(() -> kms.decrypt(other.defaultKey().arn(), 1, foreign.wrapped(), CONTEXT));

    assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void generateDataKeyUnderAKeyNotInTheKeyringIsEncryptionFailure() {
    String unknown = TestKeyrings.ARNS.keyArn("not-a-key");

    assertThat(thrown(() -> kms.generateDataKey(unknown, CONTEXT)).error())
        .isEqualTo(AwsError.ENCRYPTION_FAILURE);
  }

  @Test
  void keyringSecretHoldsRootKeyHashKeyAndWrappedKeyMaterial() {
    Map<String, String> data = keyringSecret.getData();

    assertThat(keyringSecret.getMetadata().getName()).isEqualTo(KeyringSecret.SECRET_NAME);
    assertThat(keyringSecret.getMetadata().getNamespace()).isEqualTo("managedsecret-system");
    assertThat(data)
        .containsOnlyKeys(KeyringSecret.ROOT_KEY, KeyringSecret.HASH_KEY, KeyringSecret.KEYS);
    assertThat(Base64.getDecoder().decode(data.get(KeyringSecret.ROOT_KEY))).hasSize(32);
    assertThat(Base64.getDecoder().decode(data.get(KeyringSecret.HASH_KEY))).hasSize(32);
    assertThat(keyring.hashKey())
        .isEqualTo(Base64.getDecoder().decode(data.get(KeyringSecret.HASH_KEY)));
    assertThat(new String(Base64.getDecoder().decode(data.get(KeyringSecret.KEYS))))
        .contains(keyring.defaultKey().keyId())
        .contains(LocalKms.DEFAULT_ALIAS);
  }

  @Test
  void twoNewKeyringsHaveDifferentKeys() {
    Keyring other = TestKeyrings.newKeyring();

    assertThat(other.defaultKey().arn()).isNotEqualTo(defaultArn);
    assertThat(other.hashKey()).isNotEqualTo(keyring.hashKey());
  }

  @Test
  void restoredKeyringBackupDecryptsDataKeysMadeBefore() {
    DataKey before = kms.generateDataKey(defaultArn, CONTEXT);
    KubernetesSerialization serialization = new KubernetesSerialization();
    String backup = serialization.asYaml(keyringSecret);

    Secret restoredSecret = serialization.unmarshal(backup, Secret.class);
    Keyring restored = KeyringSecret.fromSecret(restoredSecret, TestKeyrings.ARNS);
    LocalKms restoredKms = new LocalKms(restored);

    assertThat(restored.defaultKey().arn()).isEqualTo(defaultArn);
    assertThat(restored.hashKey()).isEqualTo(keyring.hashKey());
    assertThat(restoredKms.resolve(null, "team-a")).isEqualTo(defaultArn);
    assertThat(restoredKms.decrypt(defaultArn, before.materialVersion(), before.wrapped(), CONTEXT))
        .isEqualTo(before.plaintext());
  }

  @Test
  void aKeyringWithoutRootKeyIsRefused() {
    Secret broken =
        new SecretBuilder(keyringSecret)
            .withData(
                Map.of(KeyringSecret.HASH_KEY, keyringSecret.getData().get(KeyringSecret.HASH_KEY)))
            .build();

    assertThatThrownBy(() -> KeyringSecret.fromSecret(broken, TestKeyrings.ARNS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("root.key");
  }

  @Test
  void aKeyringWhoseMaterialDoesNotOpenUnderItsRootKeyIsRefused() {
    Map<String, String> data = new HashMap<>(keyringSecret.getData());
    data.put(
        KeyringSecret.ROOT_KEY,
        KeyringSecret.newKeyringSecret("x")
            .getData()
            .get(KeyringSecret.ROOT_KEY)); // another root key
    Secret swapped = new SecretBuilder(keyringSecret).withData(data).build();

    assertThatThrownBy(() -> KeyringSecret.fromSecret(swapped, TestKeyrings.ARNS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not open under the root key");
  }
}
