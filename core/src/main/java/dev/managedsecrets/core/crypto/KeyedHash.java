package dev.managedsecrets.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under a key that only the operator holds. It tells whether a value changed without
 * decrypting anything, and reveals nothing about the value to whoever reads the hash.
 */
public final class KeyedHash {

  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  /** One initialised Mac per thread: getInstance and init cost more than hashing a small value. */
  private final ThreadLocal<Mac> macs;

  public KeyedHash(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("hash key must be at least 256 bits");
    }
    this.key = new SecretKeySpec(key, ALGORITHM);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * A keyed hash under a key for another purpose, derived from this one: HKDF-Expand (RFC 5869)
   * with this key as the pseudorandom key, {@code label} as the info and one block, which is
   * HMAC-SHA256(key, label || 0x01). Knowing the derived key tells nothing of this one.
   */
  public KeyedHash derive(String label) {
    Mac mac = newMac();
    mac.update(label.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 1);
    byte[] derived = mac.doFinal();
    try {
      return new KeyedHash(derived);
    } finally {
      java.util.Arrays.fill(derived, (byte) 0);
    }
  }

  /**
   * Hashes a domain label and parts. Each part is length-prefixed, so no two different lists of
   * parts hash alike.
   */
  public String hash(String domain, byte[]... parts) {
    Mac mac = macs.get();
    mac.reset();
    update(mac, domain.getBytes(StandardCharsets.UTF_8));
    for (byte[] part : parts) {
      update(mac, part);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
  }

  public String hash(String domain, String... parts) {
    byte[][] bytes = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      bytes[i] = parts[i] == null ? new byte[0] : parts[i].getBytes(StandardCharsets.UTF_8);
    }
    return hash(domain, bytes);
  }

  /** Compares two hashes in constant time. */
  public static boolean same(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  private static void update(Mac mac, byte[] part) {
    int n = part.length;
    mac.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    mac.update(part);
  }
}
