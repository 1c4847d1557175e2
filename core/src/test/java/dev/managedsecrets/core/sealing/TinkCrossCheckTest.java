package dev.managedsecrets.core.sealing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePrivateKey;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.hybrid.internal.HpkeDecrypt;
import com.google.crypto.tink.hybrid.internal.HpkeEncrypt;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Our suite (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, through BouncyCastle) against a
 * second implementation, Google Tink: each opens what the other sealed. Tink's hybrid encryption
 * takes its context info as HPKE's info and empty associated data, and writes enc before the
 * ciphertext.
 */
class TinkCrossCheckTest {

  private static final byte[] INFO = "a context info".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NO_AAD = new byte[0];
  private static final byte[] PLAINTEXT =
      "the same bytes on both sides".getBytes(StandardCharsets.UTF_8);

  @Test
  void tinkOpensWhatOurSuiteSealed() throws Exception {
    SealingPrivateKey key = SealingPrivateKey.generate();
    HpkeSuite.Sealed sealed =
        HpkeSuite.SEALING.seal(key.publicKey().raw(), INFO, NO_AAD, PLAINTEXT, null);
    byte[] tinkInput = concat(sealed.enc(), sealed.ciphertext());
    assertThat(HpkeDecrypt.create(tinkPrivate(key)).decrypt(tinkInput, INFO)).isEqualTo(PLAINTEXT);
  }

  @Test
  void ourSuiteOpensWhatTinkSealed() throws Exception {
    SealingPrivateKey key = SealingPrivateKey.generate();
    byte[] tinkOutput = HpkeEncrypt.create(tinkPublic(key)).encrypt(PLAINTEXT, INFO);
    byte[] enc = Arrays.copyOf(tinkOutput, 32);
    byte[] ciphertext = Arrays.copyOfRange(tinkOutput, 32, tinkOutput.length);
    assertThat(
            HpkeSuite.SEALING.open(key.raw(), key.publicKey().raw(), enc, INFO, NO_AAD, ciphertext))
        .isEqualTo(PLAINTEXT);
  }

  private static HpkePublicKey tinkPublic(SealingPrivateKey key) throws Exception {
    HpkeParameters parameters =
        HpkeParameters.builder()
            .setVariant(HpkeParameters.Variant.NO_PREFIX)
            .setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
            .setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
            .setAeadId(HpkeParameters.AeadId.AES_256_GCM)
            .build();
    return HpkePublicKey.create(parameters, Bytes.copyFrom(key.publicKey().raw()), null);
  }

  private static HpkePrivateKey tinkPrivate(SealingPrivateKey key) throws Exception {
    return HpkePrivateKey.create(
        tinkPublic(key), SecretBytes.copyFrom(key.raw(), InsecureSecretKeyAccess.get()));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
