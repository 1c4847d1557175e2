package dev.managedsecrets.core.sealing;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;

/**
 * An HPKE cipher suite (RFC 9180; base mode, and auth mode for replicas) as BouncyCastle implements
 * it. Sealed values use {@link #SEALING}: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.
 * Other suites exist so that the same code path can be run on RFC 9180's test vectors, which have
 * none for this suite.
 *
 * @param kem the KEM id (0x0020: DHKEM(X25519, HKDF-SHA256))
 * @param kdf the KDF id (0x0001: HKDF-SHA256)
 * @param aead the AEAD id (0x0001: AES-128-GCM, 0x0002: AES-256-GCM)
 */
public record HpkeSuite(short kem, short kdf, short aead) {

  /** The suite of every sealed value. */
  public static final HpkeSuite SEALING =
      new HpkeSuite(HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);

  /** Bytes of an X25519 public key, of a private key, and of the KEM's encapsulated key. */
  public static final int X25519_KEY_BYTES = 32;

  /** A new BouncyCastle HPKE of this suite in base mode. */
  public HPKE hpke() {
    return hpke(HPKE.mode_base);
  }

  private HPKE hpke(byte mode) {
    if (kem != HPKE.kem_X25519_SHA256) {
      throw new IllegalArgumentException("only DHKEM(X25519, HKDF-SHA256) is supported");
    }
    return new HPKE(mode, kem, kdf, aead);
  }

  /** Bytes of the encapsulated key (enc) of this suite's KEM. */
  public int encBytes() {
    return X25519_KEY_BYTES;
  }

  /** A new random key pair of this suite's KEM. */
  public AsymmetricCipherKeyPair generateKeyPair() {
    return hpke().generatePrivateKey();
  }

  /** What a single-shot seal gives: the encapsulated key and the ciphertext with its tag. */
  public record Sealed(byte[] enc, byte[] ciphertext) {}

  /**
   * Single-shot HPKE seal (RFC 9180 5.1.1 SetupBaseS, then one Seal at sequence number 0).
   *
   * @param ephemeral the ephemeral key pair; null for a fresh random one (test vectors give one)
   */
  public Sealed seal(
      byte[] recipientPublicKey,
      byte[] info,
      byte[] aad,
      byte[] plaintext,
      AsymmetricCipherKeyPair ephemeral) {
    HPKE hpke = hpke();
    AsymmetricKeyParameter recipient = hpke.deserializePublicKey(recipientPublicKey);
    return sealOnce(
        ephemeral == null
            ? hpke.setupBaseS(recipient, info)
            : hpke.setupBaseS(recipient, info, ephemeral),
        aad,
        plaintext);
  }

  private static Sealed sealOnce(
      HPKEContextWithEncapsulation context, byte[] aad, byte[] plaintext) {
    try {
      return new Sealed(context.getEncapsulation(), context.seal(aad, plaintext));
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("HPKE could not seal", e);
    }
  }

  /**
   * Single-shot HPKE open (SetupBaseR, then one Open at sequence number 0).
   *
   * @throws InvalidCipherTextException when the ciphertext does not authenticate
   */
  public byte[] open(
      byte[] recipientPrivateKey,
      byte[] recipientPublicKey,
      byte[] enc,
      byte[] info,
      byte[] aad,
      byte[] ciphertext)
      throws InvalidCipherTextException {
    HPKE hpke = hpke();
    AsymmetricCipherKeyPair recipient =
        hpke.deserializePrivateKey(recipientPrivateKey, recipientPublicKey);
    HPKEContext context = hpke.setupBaseR(enc, recipient, info);
    return context.open(aad, ciphertext);
  }

  /**
   * Single-shot HPKE seal in auth mode (RFC 9180 5.1.3 SetupAuthS, then one Seal): only the holder
   * of {@code recipientPublicKey}'s private key can open it, and opening it proves it was sealed by
   * the holder of the sender's private key.
   */
  public Sealed sealAuth(
      byte[] recipientPublicKey,
      byte[] senderPrivateKey,
      byte[] senderPublicKey,
      byte[] info,
      byte[] aad,
      byte[] plaintext) {
    HPKE hpke = hpke(HPKE.mode_auth);
    AsymmetricCipherKeyPair sender = hpke.deserializePrivateKey(senderPrivateKey, senderPublicKey);
    return sealOnce(
        hpke.setupAuthS(hpke.deserializePublicKey(recipientPublicKey), info, sender),
        aad,
        plaintext);
  }

  /**
   * Single-shot HPKE open in auth mode (SetupAuthR, then one Open at sequence number 0).
   *
   * @throws InvalidCipherTextException when the ciphertext does not authenticate, for this
   *     recipient, from this sender
   */
  public byte[] openAuth(
      byte[] recipientPrivateKey,
      byte[] recipientPublicKey,
      byte[] senderPublicKey,
      byte[] enc,
      byte[] info,
      byte[] aad,
      byte[] ciphertext)
      throws InvalidCipherTextException {
    HPKE hpke = hpke(HPKE.mode_auth);
    AsymmetricCipherKeyPair recipient =
        hpke.deserializePrivateKey(recipientPrivateKey, recipientPublicKey);
    HPKEContext context =
        hpke.setupAuthR(enc, recipient, info, hpke.deserializePublicKey(senderPublicKey));
    return context.open(aad, ciphertext);
  }
}
