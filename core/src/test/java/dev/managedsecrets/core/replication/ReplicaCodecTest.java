package dev.managedsecrets.core.replication;

import static dev.managedsecrets.core.replication.ReplicaFixtures.BINDING;
import static dev.managedsecrets.core.replication.ReplicaFixtures.payload;
import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.Allocations;
import dev.managedsecrets.core.replication.ReplicaSealException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The payload's encoding, read as a hostile sender could write it: every length and count is
 * bounded before anything is allocated for it, and each payload has exactly one encoding.
 */
class ReplicaCodecTest {

  private static final String WHERE = "team-a/orders in eu-west-1 (primary region us-east-1)";

  @Test
  void aPayloadReadsBackFromItsEncodingToTheSameBytes() {
    byte[] encoded = ReplicaCodec.encode(payload());
    assertThat(encoded).hasSize(ReplicaCodec.size(payload()));
    ReplicaPayload decoded = ReplicaCodec.decode(encoded, WHERE);
    assertThat(decoded).isEqualTo(payload());
    assertThat(ReplicaCodec.encode(decoded)).isEqualTo(encoded);
  }

  @Test
  void aHostileValueLengthIsRefusedWithoutAllocatingIt() {
    byte[] hostile = upToFirstValue(out -> writeInt(out, Integer.MAX_VALUE));
    assertRefusedCheaply(hostile, Reason.TOO_LARGE).contains("2147483647 bytes, more than 65536");
    byte[] negative = upToFirstValue(out -> writeInt(out, -1));
    assertRefusedCheaply(negative, Reason.TOO_LARGE).contains("4294967295 bytes");
  }

  @Test
  void aLengthWithinBoundsButBeyondTheBytesThereIsRefusedAsCutShort() {
    byte[] hostile = upToFirstValue(out -> writeInt(out, 65_536));
    assertRefusedCheaply(hostile, Reason.MALFORMED).contains("cut short");
  }

  @Test
  void hostileCountsAndStringLengthsAreRefusedBeforeTheyAreRead() {
    assertRefusedCheaply(prefix(out -> out.writeShort(0xffff)), Reason.TOO_LARGE)
        .contains("primary region is 65535 bytes");
    assertRefusedCheaply(
            afterSequence(out -> out.write(0), out -> out.write(255)), Reason.TOO_LARGE)
        .contains("255 tags, more than 50");
    assertRefusedCheaply(
            afterSequence(
                out -> out.write(0),
                out -> out.write(0),
                out -> out.write(1),
                out -> writeInt(out, -1)),
            Reason.TOO_LARGE)
        .contains("projection settings is 4294967295 bytes");
    assertRefusedCheaply(
            afterSequence(
                out -> out.write(0),
                out -> out.write(0),
                out -> out.write(0),
                out -> out.write(101)),
            Reason.TOO_LARGE)
        .contains("101 versions, more than 100");
    assertRefusedCheaply(
            afterSequence(
                out -> out.write(0),
                out -> out.write(0),
                out -> out.write(0),
                out -> out.write(1),
                out -> writeString(out, "v1"),
                out -> out.write(21)),
            Reason.TOO_LARGE)
        .contains("21 staging labels on version v1, more than 20");
  }

  @Test
  void eachPayloadHasOneEncoding() {
    byte[] encoded = ReplicaCodec.encode(payload());
    byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
    assertRefusedCheaply(trailing, Reason.MALFORMED).contains("1 bytes follow its last version");
    byte[] flag = afterSequence(out -> out.write(2));
    assertRefusedCheaply(flag, Reason.MALFORMED).contains("neither 0 nor 1");
    byte[] unsorted =
        afterSequence(
            out -> out.write(0),
            out -> out.write(2),
            out -> writeString(out, "team"),
            out -> writeString(out, "x"),
            out -> writeString(out, "env"),
            out -> writeString(out, "y"));
    assertRefusedCheaply(unsorted, Reason.MALFORMED).contains("tag 2 is out of order");
    byte[] notUtf8 =
        prefix(
            out -> {
              out.writeShort(2);
              out.write(new byte[] {(byte) 0xc0, (byte) 0x80});
            });
    assertRefusedCheaply(notUtf8, Reason.MALFORMED).contains("primary region is not UTF-8");
  }

  // --- hand-written encodings

  private interface Part {
    void write(DataOutputStream out) throws IOException;
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertRefusedCheaply(
      byte[] bytes, Reason reason) {
    ReplicaSealException[] refused = new ReplicaSealException[1];
    long allocated =
        Allocations.during(
            () -> {
              try {
                ReplicaCodec.decode(bytes, WHERE);
              } catch (ReplicaSealException e) {
                refused[0] = e;
              }
            });
    assertThat(refused[0]).as("refused").isNotNull();
    assertThat(refused[0].reason()).as(refused[0].getMessage()).isEqualTo(reason);
    // Hostile lengths ask for up to 4 GiB; the largest honest payload is under 1 MiB.
    assertThat(allocated).as("bytes allocated to refuse it").isLessThan(1L << 20);
    ReplicaSealTest.assertNoCanary(refused[0].getMessage());
    return assertThat(refused[0].getMessage()).contains(WHERE);
  }

  /** The encoding version, then {@code rest}. */
  private static byte[] prefix(Part... rest) {
    return bytes(concat(new Part[] {out -> out.write(ReplicaCodec.VERSION)}, rest));
  }

  /** A valid start up to and including the sequence, then {@code rest}. */
  private static byte[] afterSequence(Part... rest) {
    Part[] start = {
      out -> out.write(ReplicaCodec.VERSION),
      out -> writeString(out, BINDING.primaryRegion()),
      out -> writeString(out, BINDING.region()),
      out -> writeString(out, BINDING.namespace()),
      out -> writeString(out, BINDING.name()),
      out -> writeString(out, "arn:x"),
      out -> out.writeLong(7)
    };
    return bytes(concat(start, rest));
  }

  /** A valid start up to the first version's value length, then {@code length}. */
  private static byte[] upToFirstValue(Part length) {
    return afterSequence(
        out -> out.write(0),
        out -> out.write(0),
        out -> out.write(0),
        out -> out.write(1),
        out -> writeString(out, "v1"),
        out -> out.write(0),
        out -> out.writeLong(0),
        out -> out.writeInt(0),
        out -> out.write(0),
        length);
  }

  private static Part[] concat(Part[] a, Part[] b) {
    Part[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] bytes(Part... parts) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (Part part : parts) {
        part.write(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeShort(bytes.length);
    out.write(bytes);
  }

  private static void writeInt(DataOutputStream out, int v) throws IOException {
    out.writeInt(v);
  }
}
