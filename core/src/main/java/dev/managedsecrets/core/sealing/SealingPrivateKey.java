package dev.managedsecrets.core.sealing;

import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * A sealing key pair as the operator holds it in memory: the raw X25519 private key (32 bytes) and
 * its public key. Never written anywhere unwrapped; {@link #destroy()} clears the private bytes.
 */
public final class SealingPrivateKey {

  private final byte[] raw;
  private final SealingPublicKey publicKey;

  private SealingPrivateKey(byte[] raw, SealingPublicKey publicKey) {
    this.raw = raw;
    this.publicKey = publicKey;
  }

  /** A new random key pair of {@link HpkeSuite#SEALING}. */
  public static SealingPrivateKey generate() {
    HpkeSuite suite = HpkeSuite.SEALING;
    AsymmetricCipherKeyPair pair = suite.generateKeyPair();
    return new SealingPrivateKey(
        suite.hpke().serializePrivateKey(pair.getPrivate()),
        SealingPublicKey.fromRaw(suite.hpke().serializePublicKey(pair.getPublic())));
  }

  /**
   * The key pair of 32 raw private bytes (a copy is kept).
   *
   * @throws IllegalArgumentException when they are not 32 bytes
   */
  public static SealingPrivateKey fromRaw(byte[] raw) {
    if (raw == null || raw.length != HpkeSuite.X25519_KEY_BYTES) {
      throw new IllegalArgumentException("an X25519 private key is 32 bytes");
    }
    byte[] pub = new X25519PrivateKeyParameters(raw).generatePublicKey().getEncoded();
    return new SealingPrivateKey(raw.clone(), SealingPublicKey.fromRaw(pub));
  }

  public SealingPublicKey publicKey() {
    return publicKey;
  }

  public String keyId() {
    return publicKey.keyId();
  }

  /** A copy of the raw private key, for wrapping under the KMS; the caller clears it. */
  public byte[] raw() {
    return raw.clone();
  }

  /** Overwrites the private bytes. */
  public void destroy() {
    Arrays.fill(raw, (byte) 0);
  }

  @Override
  public String toString() {
    return "SealingPrivateKey[" + keyId() + "]";
  }
}
