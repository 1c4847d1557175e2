package dev.managedsecrets.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

  private static final String KEY_ARN =
      "arn:k8s:kms:local:123456789012:key/0f8e2c1a-7d55-4c0e-9b5a-2f0e8d1c3b4a";

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed + 31 * i);
    }
    return b;
  }

  private static Envelope envelope(int ciphertextLength) {
    return new Envelope(KEY_ARN, 3, bytes(60, 1), bytes(12, 2), bytes(ciphertextLength, 3));
  }

  private static int headerLength(Envelope e) {
    return e.header().length;
  }

  @Test
  void toBytesAndParseRoundTrip() {
    Envelope original = envelope(48);

    Envelope parsed = Envelope.parse(original.toBytes());

    assertThat(parsed.keyArn()).isEqualTo(KEY_ARN);
    assertThat(parsed.materialVersion()).isEqualTo(3);
    assertThat(parsed.wrappedKey()).isEqualTo(original.wrappedKey());
    assertThat(parsed.nonce()).isEqualTo(original.nonce());
    assertThat(parsed.ciphertext()).isEqualTo(original.ciphertext());
    assertThat(parsed.toBytes()).isEqualTo(original.toBytes());
    assertThat(parsed.header()).isEqualTo(original.header());
  }

  @Test
  void materialVersionsAboveSignedRangeRoundTrip() {
    Envelope original = new Envelope(KEY_ARN, -1, bytes(60, 1), bytes(12, 2), bytes(16, 3));

    assertThat(Envelope.parse(original.toBytes()).materialVersion()).isEqualTo(-1);
  }

  @Test
  void layoutIsMagicThenLengthPrefixedFieldsBigEndian() {
    Envelope e = envelope(20);
    ByteBuffer b = ByteBuffer.wrap(e.toBytes());

    byte[] magic = new byte[4];
    b.get(magic);
    assertThat(magic).containsExactly('M', 'S', 'E', 1);
    assertThat(Short.toUnsignedInt(b.getShort())).isEqualTo(KEY_ARN.length());
    b.position(b.position() + KEY_ARN.length());
    assertThat(b.getInt()).isEqualTo(3);
    assertThat(Short.toUnsignedInt(b.getShort())).isEqualTo(60);
    b.position(b.position() + 60);
    assertThat(Byte.toUnsignedInt(b.get())).isEqualTo(12);
    b.position(b.position() + 12);
    assertThat(b.remaining()).isEqualTo(20);
    assertThat(headerLength(e)).isEqualTo(e.toBytes().length - 20);
  }

  @Test
  void parseRefusesWrongMagic() {
    byte[] good = envelope(16).toBytes();
    for (int i = 0; i < 4; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x01;
      assertThatThrownBy(() -> Envelope.parse(bad))
          .as("magic byte %d altered", i)
          .isInstanceOf(Envelope.MalformedEnvelopeException.class)
          .hasMessageContaining("unknown envelope format");
    }
  }

  @Test
  void parseRefusesAnotherFormatVersion() {
    for (int format : new int[] {0, 3, 0x7f, 0xff}) {
      byte[] bad = envelope(16).toBytes();
      bad[3] = (byte) format;

      assertThatThrownBy(() -> Envelope.parse(bad))
          .as("format %d", format)
          .isInstanceOf(Envelope.MalformedEnvelopeException.class);
    }
  }

  /** Format 2 has format 1's layout with format byte 2: what it binds differs, not the bytes. */
  @Test
  void formatTwoIsFormatOnesLayoutWithFormatByteTwoAndRoundTrips() {
    Envelope one = envelope(20);
    Envelope two =
        new Envelope(
            Envelope.FORMAT_2,
            one.keyArn(),
            one.materialVersion(),
            one.wrappedKey(),
            one.nonce(),
            one.ciphertext());
    byte[] expected = one.toBytes();
    expected[3] = 2;

    assertThat(two.toBytes()).isEqualTo(expected);
    Envelope parsed = Envelope.parse(two.toBytes());
    assertThat(parsed.format()).isEqualTo(Envelope.FORMAT_2);
    assertThat(parsed.toBytes()).isEqualTo(expected);
    assertThat(Envelope.parse(one.toBytes()).format()).isEqualTo(Envelope.FORMAT_1);
  }

  /**
   * A minimal envelope (16-byte ciphertext: an empty plaintext's tag) cut at every length: the
   * header is length-prefixed and the tag has a minimum size, so every cut is detected by parse.
   */
  @Test
  void parseRefusesAMinimalEnvelopeTruncatedAtEveryLength() {
    byte[] full = envelope(16).toBytes();
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> Envelope.parse(cut))
          .as("truncated to %d of %d bytes", n, full.length)
          .isInstanceOf(Envelope.MalformedEnvelopeException.class);
    }
  }

  /**
   * A real-sized envelope cut anywhere in its header or within the first 16 ciphertext bytes. (The
   * ciphertext runs to the end of the bytes, so a cut further on is caught by AES-GCM when the
   * version is opened: see EnvelopeCipherTest.)
   */
  @Test
  void parseRefusesAnEnvelopeTruncatedInItsHeaderOrMinimumTag() {
    Envelope e = envelope(100);
    byte[] full = e.toBytes();
    for (int n = 0; n < headerLength(e) + 16; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> Envelope.parse(cut))
          .as("truncated to %d of %d bytes", n, full.length)
          .isInstanceOf(Envelope.MalformedEnvelopeException.class);
    }
  }

  @Test
  void parseRefusesWrongNonceLength() {
    for (int nonceLength : new int[] {0, 8, 11, 13, 16, 255}) {
      byte[] bad =
          new Envelope(KEY_ARN, 1, bytes(60, 1), bytes(nonceLength, 2), bytes(32, 3)).toBytes();
      assertThatThrownBy(() -> Envelope.parse(bad))
          .as("nonce of %d bytes", nonceLength)
          .isInstanceOf(Envelope.MalformedEnvelopeException.class);
    }
  }

  @Test
  void parseRefusesAnEmptyKeyArnOrWrappedKey() {
    byte[] noArn = new Envelope("", 1, bytes(60, 1), bytes(12, 2), bytes(16, 3)).toBytes();
    byte[] noKey = new Envelope(KEY_ARN, 1, new byte[0], bytes(12, 2), bytes(16, 3)).toBytes();

    assertThatThrownBy(() -> Envelope.parse(noArn))
        .isInstanceOf(Envelope.MalformedEnvelopeException.class);
    assertThatThrownBy(() -> Envelope.parse(noKey))
        .isInstanceOf(Envelope.MalformedEnvelopeException.class);
  }

  @Test
  void parseRefusesALengthPrefixThatRunsPastTheEnd() {
    byte[] bad = envelope(16).toBytes();
    // the key ARN's u16 length, right after the magic
    bad[4] = (byte) 0xFF;
    bad[5] = (byte) 0xFF;

    assertThatThrownBy(() -> Envelope.parse(bad))
        .isInstanceOf(Envelope.MalformedEnvelopeException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void headerRefusesFieldsTooLongForTheirLengthPrefix() {
    Envelope tooLongKey = new Envelope(KEY_ARN, 1, new byte[0x10000], bytes(12, 2), bytes(16, 3));
    Envelope tooLongNonce = new Envelope(KEY_ARN, 1, bytes(60, 1), new byte[256], bytes(16, 3));

    assertThatThrownBy(tooLongKey::toBytes).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(tooLongNonce::toBytes).isInstanceOf(IllegalArgumentException.class);
  }
}
