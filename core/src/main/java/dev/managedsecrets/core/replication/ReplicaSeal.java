package dev.managedsecrets.core.replication;

import dev.managedsecrets.core.replication.ReplicaSealException.Reason;
import dev.managedsecrets.core.sealing.HpkeSuite;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * Seals a {@link ReplicaPayload} from a primary region's operator to a replica region's operator,
 * and opens it there. HPKE in auth mode (RFC 9180, mode_auth) with the suite of sealed values
 * (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM): only the recipient's sealing private key
 * opens it, and it opens only with the public key of the sender's sealing key pair, so a tenant who
 * can write the replica object, and so could seal anything for the recipient's public key, cannot
 * forge one. The header and the destination are associated data: a payload copied into another
 * object, namespace, region or cluster does not open.
 *
 * <p>The text is {@code msr1.} and the unpadded base64url of:
 *
 * <pre>
 * bytes  field
 * 3      magic "msr"
 * 1      format version: 1
 * 2      HPKE KEM id (0x0020), 2 KDF id (0x0001), 2 AEAD id (0x0002), big-endian
 * 1+n    sender key id: its length (1-64), then [A-Za-z0-9._-]
 * 1+n    recipient key id, alike
 * 1+n    destination: primary region (1-32)    \  in the clear, so that a payload in the wrong
 * 1+n    region (1-32)                           } object is refused saying where it belongs
 * 1+n    namespace (1-63)                        } (none of it is secret); authenticated as part
 * 1+n    name (1-253)                           /  of the header
 * 32     enc: the encapsulated key
 * rest   the HPKE ciphertext of {@link ReplicaCodec}'s encoding, with its 16-byte tag
 * </pre>
 *
 * The associated data is the header (every byte before enc) followed by {@link
 * ReplicaBinding#aad()} of the binding the receiver expects. The text is at most {@value #MAX_TEXT}
 * characters, what a replica object's {@code spec.sealed} holds.
 */
public final class ReplicaSeal {

  /** The prefix of a sealed replica payload. */
  public static final String PREFIX = "msr1.";

  /** The most characters of a sealed replica payload, prefix included. */
  public static final int MAX_TEXT = 1_048_576;

  static final byte[] INFO = "managedsecrets.dev replica v1".getBytes(StandardCharsets.US_ASCII);
  static final int TAG_BYTES = 16;
  private static final byte[] MAGIC = {'m', 's', 'r'};
  private static final int VERSION = 1;
  private static final int MAX_KEY_ID = 64;
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_KEY_ID + "}");
  private static final HpkeSuite SUITE = HpkeSuite.SEALING;

  private ReplicaSeal() {}

  /**
   * The sealed text of {@code payload}, from {@code sender} to {@code recipient}, for the payload's
   * own binding. The payload is left as it is (the caller clears it).
   *
   * @throws ReplicaSealException TOO_LARGE when the text would be longer than {@value #MAX_TEXT}
   */
  public static String seal(
      ReplicaPayload payload, SealingPrivateKey sender, SealingPublicKey recipient) {
    ReplicaBinding binding = payload.binding();
    byte[] header = header(sender.keyId(), recipient.keyId(), binding);
    int size = ReplicaCodec.size(payload);
    long textLength = textLength(header.length + SUITE.encBytes() + (long) size + TAG_BYTES);
    if (textLength > MAX_TEXT) {
      throw new ReplicaSealException(
          Reason.TOO_LARGE,
          "Could not seal the replica payload for "
              + binding.describe()
              + ": its "
              + payload.versions().size()
              + " versions and settings are "
              + size
              + " bytes, "
              + textLength
              + " characters sealed, more than the "
              + MAX_TEXT
              + " a replica object holds.");
    }
    byte[] plaintext = ReplicaCodec.encode(payload);
    byte[] senderPrivate = sender.raw();
    try {
      HpkeSuite.Sealed sealed =
          SUITE.sealAuth(
              recipient.raw(),
              senderPrivate,
              sender.publicKey().raw(),
              INFO,
              concat(header, binding.aad()),
              plaintext);
      ByteArrayOutputStream out =
          new ByteArrayOutputStream(
              header.length + sealed.enc().length + sealed.ciphertext().length);
      out.writeBytes(header);
      out.writeBytes(sealed.enc());
      out.writeBytes(sealed.ciphertext());
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    } finally {
      Arrays.fill(plaintext, (byte) 0);
      Arrays.fill(senderPrivate, (byte) 0);
    }
  }

  /**
   * Opens a sealed replica payload found in the object of {@code expected}. Everything is bounded
   * before work is done on it: the text's length before it is decoded, the header's lengths before
   * it is read, and every length and count of the plaintext before anything is allocated for it.
   *
   * @param expected where the text was found: built from the object and the configuration, never
   *     from the text
   * @param ownKeys this operator's sealing key pairs by key id; null for a key id it does not hold
   * @param senderKeys the public keys of the primaries it accepts replicas from, by key id; null
   *     for any other key id
   * @return the payload, its binding equal to {@code expected}; the caller clears it
   * @throws ReplicaSealException with the reason it is refused
   */
  public static ReplicaPayload open(
      String text,
      ReplicaBinding expected,
      Function<String, SealingPrivateKey> ownKeys,
      Function<String, SealingPublicKey> senderKeys) {
    String where = expected.describe();
    if (text == null) {
      throw malformed(where, "there is none");
    }
    if (text.length() > MAX_TEXT) {
      throw tooLong(text, where);
    }
    if (!text.startsWith(PREFIX)) {
      throw malformed(where, "it does not start with " + PREFIX);
    }
    byte[] bytes = base64url(text.substring(PREFIX.length()));
    if (bytes == null) {
      throw malformed(where, "after " + PREFIX + " it is not unpadded base64url, as it is written");
    }
    Header header = Header.read(ByteBuffer.wrap(bytes), where);
    if (!header.destination.equals(expected)) {
      throw new ReplicaSealException(
          Reason.WRONG_DESTINATION,
          "Refused the replica payload in "
              + where
              + ": it was sealed for "
              + header.destination.describe()
              + ", not for this object (copied from another object, or the two regions'"
              + " configurations name their regions differently).");
    }
    if (bytes.length - header.length < SUITE.encBytes() + TAG_BYTES) {
      throw malformed(where, "it is cut short after its header");
    }
    SealingPrivateKey own = ownKeys.apply(header.recipientKeyId);
    if (own == null || !own.keyId().equals(header.recipientKeyId)) {
      throw new ReplicaSealException(
          Reason.UNKNOWN_RECIPIENT_KEY,
          "Could not open the replica payload for "
              + where
              + ": it is sealed for sealing key "
              + header.recipientKeyId
              + ", which this operator does not hold (restore its sealing keys, or have the"
              + " primary seal it again with this operator's published key).");
    }
    SealingPublicKey sender = senderKeys.apply(header.senderKeyId);
    if (sender == null || !sender.keyId().equals(header.senderKeyId)) {
      throw new ReplicaSealException(
          Reason.UNKNOWN_SENDER_KEY,
          "Refused the replica payload for "
              + where
              + ": it names sender key "
              + header.senderKeyId
              + ", which is not a key of a primary this operator accepts replicas from.");
    }
    byte[] plaintext = open(bytes, header, expected, own, sender, where);
    ReplicaPayload payload;
    try {
      payload = ReplicaCodec.decode(plaintext, where);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
    if (!payload.binding().equals(expected)) {
      payload.clear();
      throw new ReplicaSealException(
          Reason.WRONG_DESTINATION,
          "Refused the replica payload in "
              + where
              + ": its content is for "
              + payload.binding().describe()
              + ".");
    }
    return payload;
  }

  /** The plaintext, after the AEAD has authenticated it; the caller clears it. */
  private static byte[] open(
      byte[] bytes,
      Header header,
      ReplicaBinding expected,
      SealingPrivateKey own,
      SealingPublicKey sender,
      String where) {
    byte[] headerBytes = Arrays.copyOf(bytes, header.length);
    byte[] enc = Arrays.copyOfRange(bytes, header.length, header.length + SUITE.encBytes());
    byte[] ciphertext = Arrays.copyOfRange(bytes, header.length + SUITE.encBytes(), bytes.length);
    byte[] secret = own.raw();
    try {
      return SUITE.openAuth(
          secret,
          own.publicKey().raw(),
          sender.raw(),
          enc,
          INFO,
          concat(headerBytes, expected.aad()),
          ciphertext);
    } catch (InvalidCipherTextException | IllegalArgumentException | IllegalStateException e) {
      throw new ReplicaSealException(
          Reason.NOT_AUTHENTIC,
          "Refused the replica payload for "
              + where
              + ": it does not authenticate as sealed by sender key "
              + header.senderKeyId
              + " for sealing key "
              + header.recipientKeyId
              + " (altered, cut short, or sealed by another key than it names).");
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** The header of a payload from one key to another for a destination. */
  static byte[] header(String senderKeyId, String recipientKeyId, ReplicaBinding destination) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(MAGIC);
    out.write(VERSION);
    for (short id : new short[] {SUITE.kem(), SUITE.kdf(), SUITE.aead()}) {
      out.write(id >>> 8);
      out.write(id);
    }
    keyId(out, senderKeyId);
    keyId(out, recipientKeyId);
    ascii8(out, destination.primaryRegion());
    ascii8(out, destination.region());
    ascii8(out, destination.namespace());
    ascii8(out, destination.name());
    return out.toByteArray();
  }

  private static void keyId(ByteArrayOutputStream out, String keyId) {
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("a key id is 1-64 of [A-Za-z0-9._-]");
    }
    ascii8(out, keyId);
  }

  private static void ascii8(ByteArrayOutputStream out, String ascii) {
    byte[] bytes = ascii.getBytes(StandardCharsets.US_ASCII);
    out.write(bytes.length);
    out.writeBytes(bytes);
  }

  /** What the header says, and its length in bytes. */
  private record Header(
      String senderKeyId, String recipientKeyId, ReplicaBinding destination, int length) {

    static Header read(ByteBuffer in, String where) {
      need(in, MAGIC.length + 1 + 6, where);
      byte[] magic = new byte[MAGIC.length];
      in.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw malformed(where, "its header does not start as one does");
      }
      int version = in.get() & 0xff;
      if (version != VERSION) {
        throw malformed(
            where,
            "it has format version "
                + version
                + ", and this operator opens version "
                + VERSION
                + " (upgrade it to the primary's release)");
      }
      if (in.getShort() != SUITE.kem()
          || in.getShort() != SUITE.kdf()
          || in.getShort() != SUITE.aead()) {
        throw malformed(
            where,
            "it is sealed with another HPKE suite than DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,"
                + " AES-256-GCM");
      }
      String sender = keyId(in, where, "sender");
      String recipient = keyId(in, where, "recipient");
      String primaryRegion = ascii(in, u8(in, where), where);
      String region = ascii(in, u8(in, where), where);
      String namespace = ascii(in, u8(in, where), where);
      String name = ascii(in, u8(in, where), where);
      ReplicaBinding destination;
      try {
        destination = new ReplicaBinding(primaryRegion, region, namespace, name);
      } catch (IllegalArgumentException e) {
        throw malformed(where, "its header names no destination: " + e.getMessage());
      }
      return new Header(sender, recipient, destination, in.position());
    }

    private static String keyId(ByteBuffer in, String where, String whose) {
      int length = u8(in, where);
      if (length < 1 || length > MAX_KEY_ID) {
        throw malformed(where, "its " + whose + " key id is not 1-" + MAX_KEY_ID + " characters");
      }
      String id = ascii(in, length, where);
      if (!KEY_ID.matcher(id).matches()) {
        throw malformed(where, "its " + whose + " key id has characters no key id has");
      }
      return id;
    }

    private static int u8(ByteBuffer in, String where) {
      need(in, 1, where);
      return in.get() & 0xff;
    }

    private static String ascii(ByteBuffer in, int length, String where) {
      need(in, length, where);
      byte[] bytes = new byte[length];
      in.get(bytes);
      return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static void need(ByteBuffer in, int bytes, String where) {
      if (in.remaining() < bytes) {
        throw malformed(where, "it is cut short in its header");
      }
    }
  }

  /** Characters of unpadded base64url of {@code bytes} bytes, with the prefix. */
  private static long textLength(long bytes) {
    return PREFIX.length() + (bytes * 4 + 2) / 3;
  }

  /**
   * The bytes of unpadded base64url, or null when the text is none or not as it is written
   * (padding, or a last character with bits that encode no byte: another text would give the same
   * bytes).
   */
  private static byte[] base64url(String body) {
    if (body.indexOf('=') >= 0) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(body)
        ? bytes
        : null;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static ReplicaSealException tooLong(String text, String where) {
    return new ReplicaSealException(
        Reason.TOO_LARGE,
        "Refused the replica payload for "
            + where
            + ": it is "
            + text.length()
            + " characters, more than the "
            + MAX_TEXT
            + " a replica payload has.");
  }

  private static ReplicaSealException malformed(String where, String why) {
    return new ReplicaSealException(
        Reason.MALFORMED, "Could not read the replica payload for " + where + ": " + why + ".");
  }
}
