package dev.managedsecrets.core.sealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9180's test vectors through the code that seals and opens every sealed value. Appendix A has
 * none for our suite (X25519, HKDF-SHA256, AES-256-GCM), so A.1.1 (the same KEM and KDF with
 * AES-128-GCM, base mode) runs through the same code with its suite as a parameter; {@link
 * TinkCrossCheckTest} checks our own suite against a second implementation.
 */
class HpkeSuiteTest {

  private static final HexFormat HEX = HexFormat.of();

  /** RFC 9180, A.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM. */
  static final HpkeSuite A1 =
      new HpkeSuite(HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);

  private static final byte[] INFO = hex("4f6465206f6e2061204772656369616e2055726e");
  private static final byte[] IKM_E =
      hex("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234");
  private static final byte[] IKM_R =
      hex("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037");
  private static final byte[] PK_EM =
      hex("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
  private static final byte[] PK_RM =
      hex("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d");
  private static final byte[] SK_RM =
      hex("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8");
  private static final byte[] PT =
      hex("4265617574792069732074727574682c20747275746820626561757479");
  private static final byte[] AAD_0 = hex("436f756e742d30");
  private static final byte[] CT_0 =
      hex(
          "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a");

  @Test
  void derivesTheVectorsKeyPairsFromTheirInputKeyingMaterial() {
    HPKE hpke = A1.hpke();
    AsymmetricCipherKeyPair recipient = hpke.deriveKeyPair(IKM_R);
    assertThat(hpke.serializePublicKey(recipient.getPublic())).isEqualTo(PK_RM);
    // BouncyCastle writes the scalar clamped (RFC 7748, 5); the vector's skRm is not.
    assertThat(hpke.serializePrivateKey(recipient.getPrivate())).isEqualTo(clamped(SK_RM));
    assertThat(hpke.serializePublicKey(hpke.deriveKeyPair(IKM_E).getPublic())).isEqualTo(PK_EM);
  }

  @Test
  void sealsTheFirstMessageOfVectorA11ToItsEncAndCiphertext() {
    AsymmetricCipherKeyPair ephemeral = A1.hpke().deriveKeyPair(IKM_E);
    HpkeSuite.Sealed sealed = A1.seal(PK_RM, INFO, AAD_0, PT, ephemeral);
    assertThat(sealed.enc()).isEqualTo(PK_EM);
    assertThat(sealed.ciphertext()).isEqualTo(CT_0);
  }

  @Test
  void opensTheFirstMessageOfVectorA11() throws InvalidCipherTextException {
    assertThat(A1.open(SK_RM, PK_RM, PK_EM, INFO, AAD_0, CT_0)).isEqualTo(PT);
  }

  @Test
  void refusesTheVectorsCiphertextUnderOtherAssociatedData() {
    assertThatThrownBy(() -> A1.open(SK_RM, PK_RM, PK_EM, INFO, hex("436f756e742d31"), CT_0))
        .isInstanceOf(InvalidCipherTextException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 29, 1000})
  void ourSuiteOpensWhatItSealedAndNothingAltered(int length) throws Exception {
    HpkeSuite suite = HpkeSuite.SEALING;
    AsymmetricCipherKeyPair pair = suite.generateKeyPair();
    byte[] pk = suite.hpke().serializePublicKey(pair.getPublic());
    byte[] sk = suite.hpke().serializePrivateKey(pair.getPrivate());
    byte[] pt = new byte[length];
    java.util.Arrays.fill(pt, (byte) 7);
    HpkeSuite.Sealed sealed = suite.seal(pk, INFO, AAD_0, pt, null);
    assertThat(sealed.ciphertext()).hasSize(length + 16);
    assertThat(suite.open(sk, pk, sealed.enc(), INFO, AAD_0, sealed.ciphertext())).isEqualTo(pt);
    byte[] altered = sealed.ciphertext().clone();
    altered[0] ^= 1;
    assertThatThrownBy(() -> suite.open(sk, pk, sealed.enc(), INFO, AAD_0, altered))
        .isInstanceOf(InvalidCipherTextException.class);
  }

  @Test
  void ourSuiteIsX25519HkdfSha256Aes256Gcm() {
    assertThat(HpkeSuite.SEALING.kem()).isEqualTo((short) 0x0020);
    assertThat(HpkeSuite.SEALING.kdf()).isEqualTo((short) 0x0001);
    assertThat(HpkeSuite.SEALING.aead()).isEqualTo((short) 0x0002);
  }

  private static byte[] clamped(byte[] scalar) {
    byte[] k = scalar.clone();
    k[0] &= (byte) 248;
    k[31] &= 127;
    k[31] |= 64;
    return k;
  }

  static byte[] hex(String s) {
    return HEX.parseHex(s);
  }
}
