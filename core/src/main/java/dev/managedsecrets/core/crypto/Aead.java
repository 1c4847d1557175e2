package dev.managedsecrets.core.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce stored in front of the ciphertext: nonce || ct || tag.
 *
 * <p>Each thread keeps its Ciphers and re-initialises them per operation, which skips the provider
 * look-up (about 1 us) and, for the same key, the key schedule. Long-lived keys (key material, the
 * keyring's root key) use one Cipher; data keys use another that is scrubbed after every operation,
 * so no live Cipher holds a data key (see {@link #scrub}).
 */
public final class Aead {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(Aead::newCipher);

  /** Each thread's Cipher for data keys, scrubbed after every use (see {@link #scrub}). */
  private static final ThreadLocal<Cipher> DATA_KEY_CIPHERS =
      ThreadLocal.withInitial(Aead::newCipher);

  private static final SecretKeySpec SCRUB_KEY = new SecretKeySpec(randomKey(), "AES");
  private static final GCMParameterSpec SCRUB_NONCE = new GCMParameterSpec(128, new byte[12]);

  /**
   * This thread's Cipher for one operation under a data key. Call {@link #scrub} when done: the
   * provider keeps a copy of the last key it was given until it is given another.
   */
  static Cipher dataKeyCipher() {
    return DATA_KEY_CIPHERS.get();
  }

  /**
   * Re-keys a data-key Cipher with a key that protects nothing. The JDK's AES zero-fills its copy
   * of the previous key when re-keyed, so no data key stays readable in a live Cipher; a Cipher
   * made per operation would leave that copy to the garbage collector instead.
   */
  static void scrub(Cipher cipher) {
    try {
      cipher.init(Cipher.DECRYPT_MODE, SCRUB_KEY, SCRUB_NONCE);
    } catch (GeneralSecurityException e) {
      DATA_KEY_CIPHERS.remove();
    }
  }

  static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
    }
  }

  private Aead() {}

  public static byte[] encrypt(byte[] key, byte[] plaintext, byte[] aad) {
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher cipher = CIPHERS.get();
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      cipher.updateAAD(aad);
      byte[] out = Arrays.copyOf(nonce, nonce.length + cipher.getOutputSize(plaintext.length));
      int written = cipher.doFinal(plaintext, 0, plaintext.length, out, nonce.length);
      return written == out.length - nonce.length
          ? out
          : Arrays.copyOf(out, nonce.length + written);
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
    Cipher cipher = CIPHERS.get();
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
