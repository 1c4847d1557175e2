package dev.managedsecrets.core.sealing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The text of one sealed value and its parts: {@code msv1.} followed by the unpadded base64url of
 * the bytes below. Everything before {@code enc} is the header; it is part of the associated data,
 * so no byte of it can change without the value failing to open.
 *
 * <pre>
 * bytes  field
 * 3      magic "msv"
 * 1      format version: 1
 * 2      HPKE KEM id (0x0020, DHKEM(X25519, HKDF-SHA256)), big-endian
 * 2      HPKE KDF id (0x0001, HKDF-SHA256)
 * 2      HPKE AEAD id (0x0002, AES-256-GCM)
 * 1      scope the sealer chose: 1 strict, 2 namespace-wide (the spec's scope decides; this tells a
 *        mismatch apart)
 * 1      key id length n, 1-64
 * n      key id of the sealing key, of [A-Za-z0-9._-]
 * 8      namespace hint   \
 * 8      name hint         } SHA-256 prefixes of what it was sealed for, only to say why a value
 * 8      target hint     /   that does not open was refused; zeros for the name when namespace-wide
 * 32     enc: the encapsulated key (X25519 ephemeral public key)
 * rest   the HPKE ciphertext: the value encrypted and its 16-byte tag
 * </pre>
 *
 * @param suite the cipher suite of its header
 * @param scope the scope the sealer chose
 * @param keyId the sealing key it was sealed for
 */
public record SealedValue(
    HpkeSuite suite,
    SealingScope scope,
    String keyId,
    byte[] namespaceHint,
    byte[] nameHint,
    byte[] targetHint,
    byte[] enc,
    byte[] ciphertext) {

  /** The prefix of a sealed value's text. */
  public static final String PREFIX = "msv1.";

  static final byte[] MAGIC = {'m', 's', 'v'};
  static final int VERSION = 1;
  static final int TAG_BYTES = 16;
  static final int MAX_KEY_ID = 64;

  /** Bytes of the largest header (a key id of 64 characters). */
  public static final int MAX_HEADER_BYTES = 3 + 1 + 6 + 1 + 1 + MAX_KEY_ID + 3 * 8;

  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_KEY_ID + "}");
  private static final String BASE64URL_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  /**
   * The longest text of a sealed value of {@code plaintextBytes}: prefix, header, enc, ciphertext
   * and tag, in base64url.
   */
  public static int maxTextLength(int plaintextBytes) {
    long bytes = (long) MAX_HEADER_BYTES + HpkeSuite.X25519_KEY_BYTES + plaintextBytes + TAG_BYTES;
    return (int) (PREFIX.length() + (bytes * 4 + 2) / 3);
  }

  /**
   * Reads a sealed value's text. Checks its form only: whether it opens, and for what, is {@link
   * SealedValueOpener}'s.
   *
   * @param what how a refusal names the value (e.g. "sealed key 2 of 3"): never the key's name
   * @throws SealedValueException MALFORMED, TRUNCATED or UNSUPPORTED
   */
  public static SealedValue parse(String text, String what) {
    if (text == null || !text.startsWith(PREFIX)) {
      throw refused(
          SealedValueException.Refusal.MALFORMED,
          what + " is not a sealed value: it does not start with " + PREFIX);
    }
    String body = text.substring(PREFIX.length());
    // The URL-safe decoder refuses every character outside its alphabet and a length that leaves a
    // lone character; padding, which it would take, is refused here: sealed values have none.
    byte[] bytes = body.indexOf('=') < 0 ? base64url(body) : null;
    if (bytes == null) {
      throw refused(
          SealedValueException.Refusal.MALFORMED,
          what + " is not a sealed value: after " + PREFIX + " it is not unpadded base64url");
    }
    // Read first: a value cut short is refused as truncated, whatever its last character happens to
    // be; only a value whole in its bytes is then held to its one text.
    SealedValue value = parse(bytes, what);
    if (strayBits(body)) {
      throw refused(
          SealedValueException.Refusal.MALFORMED,
          what
              + " is not a sealed value: its last base64url character sets bits that encode no"
              + " byte (the text was cut short or changed)");
    }
    return value;
  }

  /** The bytes of base64url text, or null when it is none. */
  private static byte[] base64url(String text) {
    try {
      return Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Whether the last character of unpadded base64url (2 or 3 characters in its last group) sets
   * bits that encode no byte: the decoder drops them, so another text would give the same bytes.
   * Each sealed value has one text.
   */
  private static boolean strayBits(String body) {
    int inLastGroup = body.length() % 4;
    if (inLastGroup == 0) {
      return false;
    }
    int last = BASE64URL_ALPHABET.indexOf(body.charAt(body.length() - 1));
    return (last & (inLastGroup == 2 ? 0x0f : 0x03)) != 0;
  }

  /** Reads a sealed value's bytes (see {@link #parse(String, String)}). */
  static SealedValue parse(byte[] bytes, String what) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.remaining() < MAGIC.length + 1) {
      throw truncated(what, "header");
    }
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw refused(
          SealedValueException.Refusal.MALFORMED,
          what + " is not a sealed value: its header does not start as one does");
    }
    int version = in.get() & 0xff;
    if (version != VERSION) {
      throw refused(
          SealedValueException.Refusal.UNSUPPORTED,
          what
              + " has format version "
              + version
              + ", which this operator does not open (it opens version "
              + VERSION
              + "): seal it again with the kubectl plugin of this operator's release");
    }
    if (in.remaining() < 8) {
      throw truncated(what, "header");
    }
    HpkeSuite suite = new HpkeSuite(in.getShort(), in.getShort(), in.getShort());
    if (!suite.equals(HpkeSuite.SEALING)) {
      throw refused(
          SealedValueException.Refusal.UNSUPPORTED,
          what
              + " is sealed with another HPKE suite than DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,"
              + " AES-256-GCM: seal it again with the kubectl plugin");
    }
    SealingScope scope = SealingScope.fromCode(in.get() & 0xff);
    if (scope == null) {
      throw refused(
          SealedValueException.Refusal.MALFORMED,
          what + " is not a sealed value: its header names no known scope");
    }
    int keyIdLength = in.get() & 0xff;
    if (keyIdLength < 1 || keyIdLength > MAX_KEY_ID) {
      throw refused(
          SealedValueException.Refusal.MALFORMED,
          what + " is not a sealed value: its key id is not 1-" + MAX_KEY_ID + " characters");
    }
    if (in.remaining() < keyIdLength + 3 * SealingBinding.HINT_BYTES) {
      throw truncated(what, "header");
    }
    byte[] keyIdBytes = new byte[keyIdLength];
    in.get(keyIdBytes);
    String keyId = new String(keyIdBytes, StandardCharsets.US_ASCII);
    if (!KEY_ID.matcher(keyId).matches()) {
      throw refused(
          SealedValueException.Refusal.MALFORMED,
          what + " is not a sealed value: its key id has characters no key id has");
    }
    byte[] namespaceHint = take(in, SealingBinding.HINT_BYTES);
    byte[] nameHint = take(in, SealingBinding.HINT_BYTES);
    byte[] targetHint = take(in, SealingBinding.HINT_BYTES);
    if (in.remaining() < suite.encBytes() + TAG_BYTES) {
      throw truncated(what, "ciphertext");
    }
    byte[] enc = take(in, suite.encBytes());
    byte[] ciphertext = take(in, in.remaining());
    return new SealedValue(
        suite, scope, keyId, namespaceHint, nameHint, targetHint, enc, ciphertext);
  }

  /** The header: every byte before enc. */
  byte[] header() {
    return header(suite, scope, keyId, namespaceHint, nameHint, targetHint);
  }

  static byte[] header(
      HpkeSuite suite,
      SealingScope scope,
      String keyId,
      byte[] namespaceHint,
      byte[] nameHint,
      byte[] targetHint) {
    byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("a key id is 1-64 of [A-Za-z0-9._-]");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(MAX_HEADER_BYTES);
    out.writeBytes(MAGIC);
    out.write(VERSION);
    short16(out, suite.kem());
    short16(out, suite.kdf());
    short16(out, suite.aead());
    out.write(scope.code());
    out.write(id.length);
    out.writeBytes(id);
    out.writeBytes(namespaceHint);
    out.writeBytes(nameHint);
    out.writeBytes(targetHint);
    return out.toByteArray();
  }

  /** The bytes: header, enc, ciphertext. */
  public byte[] toBytes() {
    byte[] header = header();
    byte[] out = new byte[header.length + enc.length + ciphertext.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(enc, 0, out, header.length, enc.length);
    System.arraycopy(ciphertext, 0, out, header.length + enc.length, ciphertext.length);
    return out;
  }

  /** The text: {@code msv1.} and the unpadded base64url of the bytes. */
  public String toText() {
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(toBytes());
  }

  private static void short16(ByteArrayOutputStream out, short value) {
    out.write(value >>> 8);
    out.write(value);
  }

  private static byte[] take(ByteBuffer in, int n) {
    byte[] out = new byte[n];
    in.get(out);
    return out;
  }

  private static SealedValueException truncated(String what, String part) {
    return refused(
        SealedValueException.Refusal.TRUNCATED,
        what
            + " is truncated: its "
            + part
            + " is cut short. Copy the whole sealed value the kubectl plugin printed, or seal it"
            + " again");
  }

  private static SealedValueException refused(SealedValueException.Refusal refusal, String m) {
    return new SealedValueException(refusal, m + ".");
  }

  /** Never the bytes. */
  @Override
  public String toString() {
    return "SealedValue[key " + keyId + ", " + scope.word() + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SealedValue v && Arrays.equals(toBytes(), v.toBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toBytes());
  }
}
