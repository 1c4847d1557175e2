package dev.managedsecrets.operator.kms.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.operator.kms.KmsProviderContract;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pkcs11 provider against a real SoftHSM2 token (initialised by this test run in a temporary
 * directory) passes the provider contract, and its key material stays in the token.
 */
class Pkcs11KmsProviderIT extends KmsProviderContract {

  private static Pkcs11KeyProvider provider;

  @BeforeAll
  static void openToken() {
    SoftHsm.Token token = SoftHsm.token();
    provider =
        Pkcs11KeyProvider.open(
            new Pkcs11KeyProvider.Settings(
                SoftHsm.LIBRARY, null, null, token.label(), token.pin().toCharArray(), null));
  }

  @AfterAll
  static void closeToken() {
    if (provider != null) {
      provider.close();
    }
  }

  @Override
  protected KeyProvider provider() {
    return provider;
  }

  @Test
  void keyMaterialIsASensitiveNonExtractableTokenObject() throws Exception {
    String keyId = newKeyId();
    provider.createKey(keyId);
    SecretKey key = provider.tokenKey(keyId, 1, AwsError.ENCRYPTION_FAILURE);

    // SunPKCS11 reads CKA_TOKEN, CKA_SENSITIVE and CKA_EXTRACTABLE from the token for this text.
    assertThat(key.toString()).contains("token object", "sensitive", "unextractable");
    assertThat(key.getEncoded()).as("key bytes handed out by the token").isNull();
    assertThat(key.getFormat()).isNull();

    // Asking the token for the key's value is refused.
    SecretKeyFactory factory = SecretKeyFactory.getInstance("AES", provider.securityProvider());
    assertThatThrownBy(() -> factory.getKeySpec(key, SecretKeySpec.class))
        .isInstanceOf(java.security.spec.InvalidKeySpecException.class);
  }

  @Test
  void keyMaterialOutlivesTheSessionAndIsFoundByLabelInANewOne() {
    String keyId = newKeyId();
    provider.createKey(keyId);
    provider.rotate(keyId);
    KeyProvider.NewDataKey dataKey = provider.generateDataKey(keyId, 2, CONTEXT);

    SoftHsm.Token token = SoftHsm.token();
    // A second provider, as after a restart, selecting the token by slot id this time.
    try (Pkcs11KeyProvider restarted =
        Pkcs11KeyProvider.open(
            new Pkcs11KeyProvider.Settings(
                SoftHsm.LIBRARY, token.slot(), null, null, token.pin().toCharArray(), null))) {
      assertThat(restarted.materialVersions(keyId)).containsExactly(1, 2);
      assertThat(restarted.decrypt(keyId, 2, dataKey.wrapped(), CONTEXT))
          .isEqualTo(dataKey.plaintext());
    }
  }

  @Test
  void objectsAreLabelledWithThePrefixKeyIdAndMaterialVersion() throws Exception {
    String keyId = newKeyId();
    provider.createKey(keyId);
    provider.rotate(keyId);

    SoftHsm.Token token = SoftHsm.token();
    Provider p11 =
        Security.getProvider("SunPKCS11")
            .configure(
                "--name = LabelCheck\nlibrary = "
                    + SoftHsm.LIBRARY
                    + "\nslot = "
                    + token.slot()
                    + "\n");
    KeyStore store = KeyStore.getInstance("PKCS11", p11);
    store.load(null, token.pin().toCharArray());
    assertThat(store.containsAlias("managedsecrets/" + keyId + "/1")).isTrue();
    assertThat(store.containsAlias("managedsecrets/" + keyId + "/2")).isTrue();
    assertThat(store.isKeyEntry("managedsecrets/" + keyId + "/2")).isTrue();
  }

  @Test
  void aWrongPinIsRefusedWithoutShowingIt() {
    SoftHsm.Token token = SoftHsm.spareToken();
    String wrongPin = "9" + token.pin().substring(1) + "7";
    assertThatThrownBy(
            () ->
                Pkcs11KeyProvider.open(
                    new Pkcs11KeyProvider.Settings(
                        SoftHsm.LIBRARY, token.slot(), null, null, wrongPin.toCharArray(), null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Could not log in")
        .hasMessageNotContaining(wrongPin);
  }

  @Test
  void anUnknownTokenLabelIsReported() {
    assertThatThrownBy(
            () ->
                Pkcs11KeyProvider.open(
                    new Pkcs11KeyProvider.Settings(
                        SoftHsm.LIBRARY,
                        null,
                        null,
                        "no-such-token-" + UUID.randomUUID(),
                        "0000".toCharArray(),
                        null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No PKCS#11 token labelled no-such-token-");
  }
}
