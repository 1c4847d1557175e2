package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.crypto.DataKey;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyProvider} promises. Each provider has one subclass that supplies the
 * provider; every test makes its own keys (random ids), so the tests share nothing.
 */
public abstract class KmsProviderContract {

  protected static final EncryptionContext CONTEXT =
      EncryptionContext.forVersion(
          "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf",
          "00000000-0000-0000-0000-000000000001");
  protected static final EncryptionContext OTHER_VERSION =
      EncryptionContext.forVersion(
          "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf",
          "00000000-0000-0000-0000-000000000002");
  protected static final EncryptionContext OTHER_SECRET =
      EncryptionContext.forVersion(
          "arn:k8s:secretsmanager:local:123456789012:secret:team-b/db-XyZwVu",
          "00000000-0000-0000-0000-000000000001");

  /** The provider under test; the same instance for every call within one test. */
  protected abstract KeyProvider provider();

  protected String newKeyId() {
    return UUID.randomUUID().toString();
  }

  @Test
  void createKeyMakesMaterialVersionOneAndIsIdempotent() {
    String keyId = newKeyId();
    assertThat(provider().materialVersions(keyId)).isEmpty();
    assertThat(provider().createKey(keyId)).isEqualTo(1);
    assertThat(provider().createKey(keyId)).isEqualTo(1);
    assertThat(provider().materialVersions(keyId)).containsExactly(1);
  }

  @Test
  void aDataKeyRoundTripsUnderItsKeyMaterialAndContext() {
    String keyId = newKeyId();
    provider().createKey(keyId);
    KeyProvider.NewDataKey dataKey = provider().generateDataKey(keyId, 1, CONTEXT);

    assertThat(dataKey.plaintext()).hasSize(32);
    assertThat(dataKey.wrapped()).isNotEmpty();
    assertThat(containsRun(dataKey.wrapped(), dataKey.plaintext()))
        .as("wrapped form holds the plaintext key")
        .isFalse();
    assertThat(provider().decrypt(keyId, 1, dataKey.wrapped(), CONTEXT))
        .isEqualTo(dataKey.plaintext());
  }

  @Test
  void everyCallMakesAFreshDataKey() {
    String keyId = newKeyId();
    provider().createKey(keyId);
    KeyProvider.NewDataKey first = provider().generateDataKey(keyId, 1, CONTEXT);
    KeyProvider.NewDataKey second = provider().generateDataKey(keyId, 1, CONTEXT);

    assertThat(second.plaintext()).isNotEqualTo(first.plaintext());
    assertThat(second.wrapped()).isNotEqualTo(first.wrapped());
  }

  @Test
  void aDataKeyDoesNotOpenUnderAnotherEncryptionContext() {
    String keyId = newKeyId();
    provider().createKey(keyId);
    KeyProvider.NewDataKey dataKey = provider().generateDataKey(keyId, 1, CONTEXT);

    assertDecryptionFailure(
        () -> provider().decrypt(keyId, 1, dataKey.wrapped(), OTHER_VERSION), dataKey);
    assertDecryptionFailure(
        () -> provider().decrypt(keyId, 1, dataKey.wrapped(), OTHER_SECRET), dataKey);
    assertDecryptionFailure(
        () ->
            provider()
                .decrypt(keyId, 1, dataKey.wrapped(), new EncryptionContext(Map.of("a", "b"))),
        dataKey);
  }

  @Test
  void aDataKeyDoesNotOpenUnderAnotherKey() {
    String keyId = newKeyId();
    String otherKeyId = newKeyId();
    provider().createKey(keyId);
    provider().createKey(otherKeyId);
    KeyProvider.NewDataKey dataKey = provider().generateDataKey(keyId, 1, CONTEXT);

    assertDecryptionFailure(
        () -> provider().decrypt(otherKeyId, 1, dataKey.wrapped(), CONTEXT), dataKey);
    assertDecryptionFailure(
        () -> provider().decrypt(newKeyId(), 1, dataKey.wrapped(), CONTEXT), dataKey);
  }

  @Test
  void aDataKeyDoesNotOpenUnderAnotherMaterialVersion() {
    String keyId = newKeyId();
    provider().createKey(keyId);
    KeyProvider.NewDataKey underOne = provider().generateDataKey(keyId, 1, CONTEXT);
    provider().rotate(keyId);
    KeyProvider.NewDataKey underTwo = provider().generateDataKey(keyId, 2, CONTEXT);

    assertDecryptionFailure(
        () -> provider().decrypt(keyId, 2, underOne.wrapped(), CONTEXT), underOne);
    assertDecryptionFailure(
        () -> provider().decrypt(keyId, 1, underTwo.wrapped(), CONTEXT), underTwo);
    assertDecryptionFailure(
        () -> provider().decrypt(keyId, 7, underOne.wrapped(), CONTEXT), underOne);
  }

  @Test
  void rotationKeepsOldMaterialReadableAndNewDataKeysUseTheNewest() {
    String keyId = newKeyId();
    provider().createKey(keyId);
    ProviderKms kms = kmsOver(keyId);
    DataKey beforeRotation = kms.generateDataKey(arn(keyId), CONTEXT);
    assertThat(beforeRotation.materialVersion()).isEqualTo(1);

    assertThat(provider().rotate(keyId)).isEqualTo(2);
    assertThat(provider().rotate(keyId)).isEqualTo(3);
    assertThat(provider().materialVersions(keyId)).containsExactly(1, 2, 3);

    DataKey afterRotation = kms.generateDataKey(arn(keyId), CONTEXT);
    assertThat(afterRotation.materialVersion()).isEqualTo(3);
    assertThat(kms.decrypt(arn(keyId), 1, beforeRotation.wrapped(), CONTEXT))
        .isEqualTo(beforeRotation.plaintext());
    assertThat(kms.decrypt(arn(keyId), 3, afterRotation.wrapped(), CONTEXT))
        .isEqualTo(afterRotation.plaintext());
  }

  @Test
  void rotatingAKeyTheProviderDoesNotHoldIsResourceNotFound() {
    assertThatThrownBy(() -> provider().rotate(newKeyId()))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION));
  }

  @Test
  void generatingUnderMissingMaterialIsEncryptionFailure() {
    String keyId = newKeyId();
    provider().createKey(keyId);
    for (ThrowingCallable call :
        List.<ThrowingCallable>of(
            () -> provider().generateDataKey(keyId, 2, CONTEXT),
            () -> provider().generateDataKey(newKeyId(), 1, CONTEXT))) {
      assertThatThrownBy(call)
          .isInstanceOfSatisfying(
              SecretsManagerException.class,
              e -> assertThat(e.error()).isEqualTo(AwsError.ENCRYPTION_FAILURE));
    }
  }

  @Test
  void anAlteredWrappedKeyIsDecryptionFailure() {
    String keyId = newKeyId();
    provider().createKey(keyId);
    KeyProvider.NewDataKey dataKey = provider().generateDataKey(keyId, 1, CONTEXT);
    byte[] wrapped = dataKey.wrapped();

    for (int position : new int[] {0, 1, wrapped.length / 2, wrapped.length - 1}) {
      byte[] altered = wrapped.clone();
      altered[position] ^= 0x01;
      assertDecryptionFailure(() -> provider().decrypt(keyId, 1, altered, CONTEXT), dataKey);
    }
    assertDecryptionFailure(
        () -> provider().decrypt(keyId, 1, Arrays.copyOf(wrapped, wrapped.length - 1), CONTEXT),
        dataKey);
    assertDecryptionFailure(
        () -> provider().decrypt(keyId, 1, Arrays.copyOf(wrapped, 8), CONTEXT), dataKey);
    // The provider still works after refusing.
    assertThat(provider().decrypt(keyId, 1, wrapped, CONTEXT)).isEqualTo(dataKey.plaintext());
  }

  @Test
  void anEnvelopeSealsAndOpensThroughTheProvider() {
    String keyId = newKeyId();
    provider().createKey(keyId);
    EnvelopeCipher cipher = new EnvelopeCipher(kmsOver(keyId));
    byte[] value = "Sthe orders database password".getBytes(StandardCharsets.UTF_8);

    byte[] sealed = cipher.seal(arn(keyId), CONTEXT, value);
    Envelope envelope = Envelope.parse(sealed);
    assertThat(envelope.keyArn()).isEqualTo(arn(keyId));
    assertThat(envelope.materialVersion()).isEqualTo(1);
    assertThat(cipher.open(sealed, CONTEXT)).isEqualTo(value);

    provider().rotate(keyId);
    byte[] sealedAfterRotation = cipher.seal(arn(keyId), CONTEXT, value);
    assertThat(Envelope.parse(sealedAfterRotation).materialVersion()).isEqualTo(2);
    assertThat(cipher.open(sealed, CONTEXT)).isEqualTo(value);
    assertThat(cipher.open(sealedAfterRotation, CONTEXT)).isEqualTo(value);

    assertThatThrownBy(() -> cipher.open(sealed, OTHER_VERSION))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE));
  }

  /** A KMS with one key, whose material versions are whatever the provider holds. */
  protected ProviderKms kmsOver(String keyId) {
    KeyCatalog catalog =
        reference ->
            reference.equals(arn(keyId))
                ? Optional.of(
                    new KeyMetadata(
                        keyId,
                        arn(keyId),
                        List.of(),
                        KeyState.ENABLED,
                        provider().name(),
                        provider().materialVersions(keyId),
                        null))
                : Optional.empty();
    return new ProviderKms(catalog, Map.of(provider().name(), provider()));
  }

  protected String arn(String keyId) {
    return "arn:k8s:kms:local:123456789012:key/" + keyId;
  }

  static void assertDecryptionFailure(ThrowingCallable call, KeyProvider.NewDataKey dataKey) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
              assertNoKeyBytes(e.getMessage(), dataKey);
            });
  }

  static void assertNoKeyBytes(String message, KeyProvider.NewDataKey dataKey) {
    for (byte[] bytes : List.of(dataKey.plaintext(), dataKey.wrapped())) {
      assertThat(message)
          .doesNotContain(Base64.getEncoder().encodeToString(bytes))
          .doesNotContain(HexFormat.of().formatHex(bytes))
          .doesNotContain(HexFormat.of().formatHex(bytes, 0, 8));
    }
  }

  static boolean containsRun(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
