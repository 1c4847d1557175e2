package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.crypto.DataKey;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ProviderKmsTest {

  static final EncryptionContext CONTEXT = EncryptionContext.forVersion("arn:secret", "v1");
  static final String KEY_ID = "1234abcd-0000-0000-0000-000000000001";
  static final String ARN = "arn:k8s:kms:local:123456789012:key/" + KEY_ID;

  final InMemoryKeyProvider provider = new InMemoryKeyProvider("pkcs11");
  final AtomicReference<KeyMetadata> key = new AtomicReference<>();
  final ProviderKms kms =
      new ProviderKms(
          ref -> Optional.ofNullable(key.get()).filter(k -> k.isNamedBy(ref)),
          Map.of("pkcs11", provider));

  ProviderKmsTest() {
    provider.createKey(KEY_ID);
    key.set(metadata(KeyState.ENABLED, "pkcs11", Set.of("orders")));
  }

  static KeyMetadata metadata(KeyState state, String provider, Set<String> namespaces) {
    return new KeyMetadata(
        KEY_ID, ARN, List.of("alias/orders"), state, provider, List.of(1), namespaces);
  }

  @Test
  void resolvesAKeyByAliasIdOrArnForANamespaceThatMayUseIt() {
    assertThat(kms.resolve("alias/orders", "orders")).isEqualTo(ARN);
    assertThat(kms.resolve(KEY_ID, "orders")).isEqualTo(ARN);
    assertThat(kms.resolve(ARN, "orders")).isEqualTo(ARN);
  }

  @Test
  void aKeyTheNamespaceMayNotUseIsAccessDeniedNamingTheKeyAndTheNamespace() {
    assertThatThrownBy(() -> kms.resolve(ARN, "billing"))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.ACCESS_DENIED_EXCEPTION);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Namespace billing is not allowed to use the KMS key "
                          + ARN
                          + ": its key policy (the KmsKey's allowedNamespaces) does not include"
                          + " this namespace.");
            });
  }

  @Test
  void aKeyTheCatalogDoesNotFindIsResourceNotFound() {
    assertThatThrownBy(() -> kms.resolve("alias/nope", "orders"))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION);
              assertThat(e.getMessage()).startsWith("The KMS key alias/nope was not found");
            });
  }

  @Test
  void noKmsKeyIdMeansTheDefaultAlias() {
    assertThatThrownBy(() -> kms.resolve(null, "orders"))
        .hasMessageStartingWith("The KMS key alias/managedsecrets was not found");
  }

  @Test
  void aDisabledKeyFailsWritesWithEncryptionFailureAndReadsWithDecryptionFailure() {
    DataKey dataKey = kms.generateDataKey(ARN, CONTEXT);
    for (KeyState state : List.of(KeyState.DISABLED, KeyState.PENDING_DELETION)) {
      key.set(metadata(state, "pkcs11", null));
      assertFails(
          () -> kms.generateDataKey(ARN, CONTEXT), AwsError.ENCRYPTION_FAILURE, state.awsName());
      assertFails(
          () -> kms.decrypt(ARN, 1, dataKey.wrapped(), CONTEXT),
          AwsError.DECRYPTION_FAILURE,
          state.awsName());
    }
    key.set(metadata(KeyState.ENABLED, "pkcs11", null));
    assertThat(kms.decrypt(ARN, 1, dataKey.wrapped(), CONTEXT)).isEqualTo(dataKey.plaintext());
  }

  @Test
  void aKeyInAProviderThatIsNotConfiguredFailsWithTheProviderNamed() {
    key.set(metadata(KeyState.ENABLED, "aws-kms", null));
    assertFails(() -> kms.generateDataKey(ARN, CONTEXT), AwsError.ENCRYPTION_FAILURE, "aws-kms");
    assertFails(
        () -> kms.decrypt(ARN, 1, new byte[40], CONTEXT), AwsError.DECRYPTION_FAILURE, "aws-kms");
  }

  @Test
  void aMaterialVersionTheCatalogDoesNotKnowIsDecryptionFailure() {
    DataKey dataKey = kms.generateDataKey(ARN, CONTEXT);
    assertFails(
        () -> kms.decrypt(ARN, 2, dataKey.wrapped(), CONTEXT),
        AwsError.DECRYPTION_FAILURE,
        "Key material version 2");
  }

  @Test
  void anUnknownKeyArnFailsWritesAndReads() {
    String other = "arn:k8s:kms:local:123456789012:key/nope";
    assertFails(() -> kms.generateDataKey(other, CONTEXT), AwsError.ENCRYPTION_FAILURE, other);
    assertFails(
        () -> kms.decrypt(other, 1, new byte[40], CONTEXT), AwsError.DECRYPTION_FAILURE, other);
  }

  static void assertFails(ThrowingCallable call, AwsError error, String messagePart) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(error);
              assertThat(e.getMessage()).contains(messagePart);
            });
  }
}
