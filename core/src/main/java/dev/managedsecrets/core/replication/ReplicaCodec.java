package dev.managedsecrets.core.replication;

import dev.managedsecrets.core.replication.ReplicaSealException.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;

/**
 * The canonical binary encoding of a {@link ReplicaPayload}: the plaintext that {@link ReplicaSeal}
 * encrypts, and (with each value replaced by its SHA-256) what {@link ReplicaPayload#digest} keys.
 * All integers are big-endian; a string is its UTF-8 bytes after their length.
 *
 * <pre>
 * u8     encoding version: 1
 * str16  primary region, region, namespace, name (the binding)
 * str16  primary ARN
 * i64    sequence
 * opt16  description          (opt: u8 0 for none, or u8 1 and the string)
 * u8     tag count; each: str16 key, str16 value (sorted by key)
 * opt32  projection settings (spec)
 * u8     version count; each:
 *          str16 VersionId
 *          u8    stage count; each str16
 *          i64   created, seconds since the epoch; i32 nanoseconds
 *          u8    binary: 0 or 1
 *          u32   value length, then the value's bytes (for the digest: its 32-byte SHA-256)
 * </pre>
 *
 * Reading bounds every length and count by the payload's own limits before it allocates anything,
 * and refuses trailing bytes, strings that are not UTF-8, tags out of order and flags that are
 * neither 0 nor 1: each payload has one encoding.
 */
final class ReplicaCodec {

  static final int VERSION = 1;
  private static final byte[] DIGEST_LABEL =
      "managedsecrets.dev replica digest v1\0".getBytes(StandardCharsets.US_ASCII);

  private ReplicaCodec() {}

  /** Where the encoding goes: counted, written to a buffer, or fed to a MAC. */
  private interface Sink {
    void put(byte[] bytes);

    default void u8(int v) {
      put(new byte[] {(byte) v});
    }

    default void u16(int v) {
      put(new byte[] {(byte) (v >>> 8), (byte) v});
    }

    default void u32(int v) {
      put(ByteBuffer.allocate(4).putInt(v).array());
    }

    default void i64(long v) {
      put(ByteBuffer.allocate(8).putLong(v).array());
    }
  }

  /** The encoding, in an array of exactly its size; the caller clears it. */
  static byte[] encode(ReplicaPayload payload) {
    ByteBuffer out = ByteBuffer.allocate(size(payload));
    write(payload, out::put, false);
    return out.array();
  }

  /** Bytes of the encoding, counted without writing it. */
  static int size(ReplicaPayload payload) {
    long[] size = {0};
    write(payload, bytes -> size[0] += bytes.length, false);
    return Math.toIntExact(size[0]);
  }

  /** Feeds the digest's encoding to {@code mac}: a label, then values as their SHA-256. */
  static void digestInto(ReplicaPayload payload, Mac mac) {
    mac.update(DIGEST_LABEL);
    write(payload, mac::update, true);
  }

  private static void write(ReplicaPayload p, Sink out, boolean valueHashes) {
    out.u8(VERSION);
    ReplicaBinding b = p.binding();
    str16(out, b.primaryRegion());
    str16(out, b.region());
    str16(out, b.namespace());
    str16(out, b.name());
    str16(out, p.primaryArn());
    out.i64(p.sequence());
    optional(out, p.description(), false);
    out.u8(p.tags().size());
    for (Map.Entry<String, String> tag : p.tags().entrySet()) {
      str16(out, tag.getKey());
      str16(out, tag.getValue());
    }
    optional(out, p.spec(), true);
    out.u8(p.versions().size());
    for (ReplicaVersion v : p.versions()) {
      str16(out, v.versionId());
      out.u8(v.stages().size());
      v.stages().forEach(stage -> str16(out, stage));
      out.i64(v.createdDate().getEpochSecond());
      out.u32(v.createdDate().getNano());
      out.u8(v.binary() ? 1 : 0);
      byte[] value = valueHashes ? sha256(v.value()) : v.value();
      out.u32(value.length);
      out.put(value);
    }
  }

  private static void str16(Sink out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.u16(bytes.length);
    out.put(bytes);
  }

  private static void optional(Sink out, String s, boolean long32) {
    out.u8(s == null ? 0 : 1);
    if (s != null) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      if (long32) {
        out.u32(bytes.length);
      } else {
        out.u16(bytes.length);
      }
      out.put(bytes);
    }
  }

  private static byte[] sha256(byte[] value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads an encoding. The values of the payload are new arrays; {@code bytes} is left as it is
   * (the caller clears it).
   *
   * @param where how messages name the replica ({@link ReplicaBinding#describe()})
   * @throws ReplicaSealException MALFORMED or TOO_LARGE, the message naming the field and sizes
   *     only
   */
  static ReplicaPayload decode(byte[] bytes, String where) {
    Reader in = new Reader(ByteBuffer.wrap(bytes), where);
    List<ReplicaVersion> versions = new ArrayList<>();
    try {
      int version = in.u8("encoding version");
      if (version != VERSION) {
        throw in.malformed("its encoding version is " + version + ", not " + VERSION);
      }
      ReplicaBinding binding =
          new ReplicaBinding(
              in.str16("primary region", ReplicaBinding.MAX_REGION),
              in.str16("region", ReplicaBinding.MAX_REGION),
              in.str16("namespace", ReplicaBinding.MAX_NAMESPACE),
              in.str16("name", ReplicaBinding.MAX_NAME));
      String arn = in.str16("primary ARN", ReplicaPayload.MAX_ARN);
      long sequence = in.i64("sequence");
      String description =
          in.flag("description marker")
              ? in.str16("description", ReplicaPayload.MAX_DESCRIPTION)
              : null;
      int tagCount = in.count("tags", ReplicaPayload.MAX_TAGS);
      Map<String, String> tags = new LinkedHashMap<>();
      String previous = null;
      for (int i = 0; i < tagCount; i++) {
        String key = in.str16("tag key", ReplicaPayload.MAX_TAG_KEY);
        if (previous != null && previous.compareTo(key) >= 0) {
          // One encoding for each payload: tags sorted, each key once.
          throw in.malformed("tag " + (i + 1) + " is out of order or comes twice");
        }
        previous = key;
        tags.put(key, in.str16("tag value", ReplicaPayload.MAX_TAG_VALUE));
      }
      String spec =
          in.flag("projection settings marker")
              ? in.str32("projection settings", ReplicaPayload.MAX_SPEC)
              : null;
      int versionCount = in.count("versions", ReplicaPayload.MAX_VERSIONS);
      for (int i = 0; i < versionCount; i++) {
        versions.add(readVersion(in));
      }
      if (in.buffer.hasRemaining()) {
        throw in.malformed(in.buffer.remaining() + " bytes follow its last version");
      }
      return new ReplicaPayload(binding, arn, sequence, description, tags, spec, versions);
    } catch (IllegalArgumentException e) {
      versions.forEach(ReplicaVersion::clear);
      // The records' own messages: sizes and VersionIds, never a value or a tag.
      throw in.malformed(e.getMessage());
    } catch (ReplicaSealException e) {
      versions.forEach(ReplicaVersion::clear);
      throw e;
    }
  }

  private static ReplicaVersion readVersion(Reader in) {
    String versionId = in.str16("VersionId", ReplicaVersion.MAX_VERSION_ID);
    int stageCount = in.count("staging labels on version " + versionId, ReplicaVersion.MAX_STAGES);
    List<String> stages = new ArrayList<>(stageCount);
    for (int j = 0; j < stageCount; j++) {
      stages.add(in.str16("staging label", ReplicaVersion.MAX_STAGE));
    }
    long seconds = in.i64("creation date");
    int nanos = in.u32("creation date");
    Instant created;
    try {
      created = Instant.ofEpochSecond(seconds).plusNanos(checkedNanos(in, nanos));
    } catch (DateTimeException | ArithmeticException e) {
      throw in.malformed("version " + versionId + "'s creation date is out of range");
    }
    boolean binary = in.flag("binary flag of version " + versionId);
    int length = in.u32("value length of version " + versionId);
    if (length < 0 || length > ReplicaVersion.MAX_VALUE_BYTES) {
      throw in.tooLarge(
          "version "
              + versionId
              + "'s value is "
              + Integer.toUnsignedString(length)
              + " bytes, more than "
              + ReplicaVersion.MAX_VALUE_BYTES);
    }
    byte[] value = in.take(length, "value of version " + versionId);
    return new ReplicaVersion(versionId, stages, created, value, binary);
  }

  private static int checkedNanos(Reader in, int nanos) {
    if (nanos < 0 || nanos > 999_999_999) {
      throw in.malformed("a creation date has " + Integer.toUnsignedString(nanos) + " nanoseconds");
    }
    return nanos;
  }

  /** Reads fields, each bounded before it is allocated. */
  private static final class Reader {
    final ByteBuffer buffer;
    final String where;

    Reader(ByteBuffer buffer, String where) {
      this.buffer = buffer;
      this.where = where;
    }

    int u8(String what) {
      need(1, what);
      return buffer.get() & 0xff;
    }

    int u32(String what) {
      need(4, what);
      return buffer.getInt();
    }

    long i64(String what) {
      need(8, what);
      return buffer.getLong();
    }

    boolean flag(String what) {
      int v = u8(what);
      if (v > 1) {
        throw malformed("its " + what + " is " + v + ", neither 0 nor 1");
      }
      return v == 1;
    }

    int count(String what, int max) {
      int n = u8(what);
      if (n > max) {
        throw tooLarge("it has " + n + " " + what + ", more than " + max);
      }
      return n;
    }

    String str16(String what, int maxChars) {
      need(2, what);
      return string(buffer.getShort() & 0xffff, what, maxChars);
    }

    String str32(String what, int maxChars) {
      return string(u32(what), what, maxChars);
    }

    /** A string of at most {@code maxChars} UTF-16 units: at most 3 UTF-8 bytes each. */
    private String string(int length, String what, int maxChars) {
      if (length < 0 || (long) length > 3L * maxChars) {
        throw tooLarge(
            "its "
                + what
                + " is "
                + Integer.toUnsignedString(length)
                + " bytes, more than "
                + maxChars
                + " characters can be");
      }
      byte[] bytes = take(length, what);
      try {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
        if (chars.length() > maxChars) {
          throw tooLarge(
              "its " + what + " is " + chars.length() + " characters, more than " + maxChars);
        }
        return chars.toString();
      } catch (CharacterCodingException e) {
        throw malformed("its " + what + " is not UTF-8");
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }

    byte[] take(int length, String what) {
      need(length, what);
      byte[] bytes = new byte[length];
      buffer.get(bytes);
      return bytes;
    }

    private void need(int bytes, String what) {
      if (buffer.remaining() < bytes) {
        throw malformed("it is cut short in its " + what);
      }
    }

    ReplicaSealException malformed(String why) {
      return new ReplicaSealException(
          Reason.MALFORMED, "Could not read the replica payload for " + where + ": " + why + ".");
    }

    ReplicaSealException tooLarge(String why) {
      return new ReplicaSealException(
          Reason.TOO_LARGE,
          "Refused the replica payload for " + where + " as too large: " + why + ".");
    }
  }
}
