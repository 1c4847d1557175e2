package dev.managedsecrets.operator.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-256-GCM with a random 96-bit nonce stored in front of the ciphertext: nonce || ct || tag. */
public final class Aead {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Aead() {}

  public static byte[] encrypt(byte[] key, byte[] plaintext, byte[] aad) {
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      cipher.updateAAD(aad);
      byte[] ct = cipher.doFinal(plaintext);
      byte[] out = Arrays.copyOf(nonce, nonce.length + ct.length);
      System.arraycopy(ct, 0, out, nonce.length, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /** Decrypts and authenticates; throws GeneralSecurityException when anything was altered. */
  public static byte[] decrypt(byte[] key, byte[] sealed, byte[] aad)
      throws GeneralSecurityException {
    if (sealed.length < 12 + 16) {
      throw new javax.crypto.AEADBadTagException("sealed data truncated");
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, sealed, 0, 12));
    cipher.updateAAD(aad);
    return cipher.doFinal(sealed, 12, sealed.length - 12);
  }

  public static byte[] randomKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return key;
  }
}
