package dev.managedsecrets.core.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The stored form of one version. All integers are big-endian.
 *
 * <pre>
 *   "MSE" 0x01 or 0x02         magic and format version
 *   u16 n, n bytes             KMS key ARN (UTF-8)
 *   u32                        key-material version
 *   u16 n, n bytes             wrapped data key
 *   u8 n, n bytes              AES-GCM nonce (12 bytes)
 *   rest                       AES-256-GCM ciphertext and 16-byte tag
 * </pre>
 *
 * The header (everything before the ciphertext) is authenticated as associated data together with
 * the encryption context, so no field of it can be changed without the version failing to open.
 * Both formats have this layout; they differ in what else the associated data binds: format 1 the
 * encryption context only, format 2 also the store record that holds the version (see {@link
 * EnvelopeCipher}). The format byte is part of the header, so one format can't pass for the other.
 */
public record Envelope(
    int format,
    String keyArn,
    int materialVersion,
    byte[] wrappedKey,
    byte[] nonce,
    byte[] ciphertext) {

  /** Bound to the encryption context {SecretARN, SecretVersionId}. */
  public static final int FORMAT_1 = 1;

  /** Bound to the encryption context and to the store record that holds the version. */
  public static final int FORMAT_2 = 2;

  private static final byte[] MAGIC = {'M', 'S', 'E'};
  private static final int MAX_FIELD = 0xFFFF;

  public Envelope {
    if (format != FORMAT_1 && format != FORMAT_2) {
      throw new IllegalArgumentException("unknown envelope format " + format);
    }
  }

  /** A format-1 envelope. */
  public Envelope(
      String keyArn, int materialVersion, byte[] wrappedKey, byte[] nonce, byte[] ciphertext) {
    this(FORMAT_1, keyArn, materialVersion, wrappedKey, nonce, ciphertext);
  }

  /** The header bytes, which are also the associated data's first part. */
  public byte[] header() {
    byte[] arn = keyArn.getBytes(StandardCharsets.UTF_8);
    if (arn.length > MAX_FIELD || wrappedKey.length > MAX_FIELD || nonce.length > 0xFF) {
      throw new IllegalArgumentException("envelope field too long");
    }
    ByteBuffer b =
        ByteBuffer.allocate(
            MAGIC.length + 1 + 2 + arn.length + 4 + 2 + wrappedKey.length + 1 + nonce.length);
    b.put(MAGIC).put((byte) format).putShort((short) arn.length).put(arn).putInt(materialVersion);
    b.putShort((short) wrappedKey.length).put(wrappedKey);
    b.put((byte) nonce.length).put(nonce);
    return b.array();
  }

  public byte[] toBytes() {
    byte[] header = header();
    byte[] out = Arrays.copyOf(header, header.length + ciphertext.length);
    System.arraycopy(ciphertext, 0, out, header.length, ciphertext.length);
    return out;
  }

  /**
   * Parses an envelope, refusing an unknown format, a truncated header, a nonce that is not 12
   * bytes and a ciphertext shorter than its tag. A ciphertext cut short or extended passes the
   * parser and fails authentication when the envelope is opened.
   *
   * @throws MalformedEnvelopeException when the bytes are not an envelope of a known format
   */
  public static Envelope parse(byte[] bytes) {
    Located located = locate(bytes);
    Envelope h = located.header();
    return new Envelope(
        h.format(),
        h.keyArn(),
        h.materialVersion(),
        h.wrappedKey(),
        h.nonce(),
        Arrays.copyOfRange(bytes, located.ciphertextOffset(), bytes.length));
  }

  /**
   * An envelope parsed in place: its header fields (with an empty ciphertext) and where in the
   * stored bytes the header ends and the ciphertext begins, so opening copies nothing.
   */
  record Located(Envelope header, int ciphertextOffset) {}

  /** Parses and checks as {@link #parse(byte[])} does, without copying the ciphertext. */
  static Located locate(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      byte[] magic = new byte[MAGIC.length];
      b.get(magic);
      int format = b.get();
      if (!Arrays.equals(magic, MAGIC) || (format != FORMAT_1 && format != FORMAT_2)) {
        throw new MalformedEnvelopeException("unknown envelope format");
      }
      String arn = utf8(take(b, Short.toUnsignedInt(b.getShort())));
      int material = b.getInt();
      byte[] wrapped = take(b, Short.toUnsignedInt(b.getShort()));
      byte[] nonce = take(b, Byte.toUnsignedInt(b.get()));
      if (nonce.length != 12) {
        throw new MalformedEnvelopeException("nonce must be 12 bytes");
      }
      if (b.remaining() < 16 || arn.isEmpty() || wrapped.length == 0) {
        throw new MalformedEnvelopeException("envelope truncated");
      }
      return new Located(
          new Envelope(format, arn, material, wrapped, nonce, new byte[0]), b.position());
    } catch (java.nio.BufferUnderflowException e) {
      throw new MalformedEnvelopeException("envelope truncated");
    }
  }

  /** Decodes strictly: bytes that are not UTF-8 would not write back as the same header. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedEnvelopeException("key ARN is not UTF-8");
    }
  }

  private static byte[] take(ByteBuffer b, int n) {
    if (n > b.remaining()) {
      throw new MalformedEnvelopeException("envelope truncated");
    }
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  /** The bytes are not an envelope this version of the operator can read. */
  public static class MalformedEnvelopeException extends RuntimeException {
    public MalformedEnvelopeException(String message) {
      super(message);
    }
  }
}
