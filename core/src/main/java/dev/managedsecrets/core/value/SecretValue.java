package dev.managedsecrets.core.value;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A version's plaintext: text (SecretString) or bytes (SecretBinary). Its toString never shows the
 * value.
 */
public record SecretValue(byte[] bytes, boolean binary) {

  public static SecretValue text(String s) {
    return new SecretValue(s.getBytes(StandardCharsets.UTF_8), false);
  }

  public String asText() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Serialized form inside an envelope: one type byte, then the value. */
  public byte[] encode() {
    byte[] out = new byte[bytes.length + 1];
    out[0] = (byte) (binary ? 'B' : 'S');
    System.arraycopy(bytes, 0, out, 1, bytes.length);
    return out;
  }

  public static SecretValue decode(byte[] encoded) {
    if (encoded.length == 0 || (encoded[0] != 'B' && encoded[0] != 'S')) {
      throw new IllegalArgumentException("not an encoded secret value");
    }
    return new SecretValue(Arrays.copyOfRange(encoded, 1, encoded.length), encoded[0] == 'B');
  }

  public void clear() {
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretValue v && v.binary == binary && Arrays.equals(v.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "SecretValue[" + (binary ? "binary" : "string") + ", " + bytes.length + " bytes]";
  }
}
