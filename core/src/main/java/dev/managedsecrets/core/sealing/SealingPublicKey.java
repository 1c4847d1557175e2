package dev.managedsecrets.core.sealing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A sealing public key (X25519) and its key id. Its text form is PEM, a SubjectPublicKeyInfo as
 * {@code openssl pkey -pubout} writes it ({@code -----BEGIN PUBLIC KEY-----}, RFC 8410); the key id
 * is the first 8 bytes of the SHA-256 digest of the raw 32-byte key, in hex, so whoever holds the
 * public key can compute it.
 */
public final class SealingPublicKey {

  /** DER of SubjectPublicKeyInfo for X25519 (OID 1.3.101.110) up to the 32 key bytes. */
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b656e032100");

  private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String END = "-----END PUBLIC KEY-----";

  private final byte[] raw;
  private final String keyId;

  private SealingPublicKey(byte[] raw) {
    if (raw.length != HpkeSuite.X25519_KEY_BYTES) {
      throw new IllegalArgumentException("an X25519 public key is 32 bytes");
    }
    this.raw = raw.clone();
    this.keyId = keyIdOf(raw);
  }

  /** The key from its 32 raw bytes (RFC 7748). */
  public static SealingPublicKey fromRaw(byte[] raw) {
    return new SealingPublicKey(raw);
  }

  /**
   * The key from PEM (SubjectPublicKeyInfo, X25519).
   *
   * @throws IllegalArgumentException when it is not an X25519 public key in PEM
   */
  public static SealingPublicKey fromPem(String pem) {
    String text = pem == null ? "" : pem.strip();
    if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
      throw new IllegalArgumentException("not a PEM public key (BEGIN PUBLIC KEY)");
    }
    String body =
        text.substring(BEGIN.length(), text.length() - END.length()).replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the PEM body is not base64");
    }
    if (der.length != SPKI_PREFIX.length + HpkeSuite.X25519_KEY_BYTES
        || !Arrays.equals(Arrays.copyOf(der, SPKI_PREFIX.length), SPKI_PREFIX)) {
      throw new IllegalArgumentException("not an X25519 public key (OID 1.3.101.110)");
    }
    return new SealingPublicKey(Arrays.copyOfRange(der, SPKI_PREFIX.length, der.length));
  }

  /** PEM, 64 base64 characters a line, ending with a line break. */
  public String toPem() {
    byte[] der = new byte[SPKI_PREFIX.length + raw.length];
    System.arraycopy(SPKI_PREFIX, 0, der, 0, SPKI_PREFIX.length);
    System.arraycopy(raw, 0, der, SPKI_PREFIX.length, raw.length);
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return BEGIN + "\n" + b64 + "\n" + END + "\n";
  }

  /** The 32 raw bytes (RFC 7748). */
  public byte[] raw() {
    return raw.clone();
  }

  /** 16 lowercase hex digits: the first 8 bytes of SHA-256 of the raw key. */
  public String keyId() {
    return keyId;
  }

  static String keyIdOf(byte[] raw) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SealingPublicKey k && Arrays.equals(raw, k.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "SealingPublicKey[" + keyId + "]";
  }
}
