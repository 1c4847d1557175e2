package dev.managedsecrets.operator.embedded;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Just enough of the API server's protobuf encoding to read a field of a request body: kubectl
 * sends the built-in kinds it makes itself (a SelfSubjectRulesReview for {@code auth can-i --list})
 * as {@code application/vnd.kubernetes.protobuf}, and reads a JSON answer as well.
 *
 * <p>Such a body is the magic bytes {@code k8s\0} and a runtime.Unknown message whose field 2 holds
 * the object's own message, whose fields are those of its Go type, numbered as in its
 * generated.proto.
 */
final class Protobuf {

  static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private Protobuf() {}

  /** The object's message inside an encoded body. */
  static byte[] object(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, 4)) {
      throw new ApiException(400, "BadRequest", "the protobuf body has no k8s magic prefix");
    }
    byte[] object = field(Arrays.copyOfRange(body, MAGIC.length, body.length), 2);
    return object == null ? new byte[0] : object;
  }

  /**
   * The text at a path of length-delimited fields, e.g. {@code text(review, 2, 1)} for
   * spec.namespace; null when a field on the way is absent.
   */
  static String text(byte[] message, int... path) {
    byte[] at = message;
    for (int number : path) {
      at = field(at, number);
      if (at == null) {
        return null;
      }
    }
    return new String(at, StandardCharsets.UTF_8);
  }

  /** The first length-delimited field with this number, or null. */
  static byte[] field(byte[] message, int number) {
    int[] pos = {0};
    while (pos[0] < message.length) {
      long tag = varint(message, pos);
      int wireType = (int) (tag & 7);
      long fieldNumber = tag >>> 3;
      switch (wireType) {
        case 0 -> varint(message, pos);
        case 1 -> skip(message, pos, 8);
        case 5 -> skip(message, pos, 4);
        case 2 -> {
          long length = varint(message, pos);
          if (length < 0 || length > message.length - pos[0]) {
            throw malformed();
          }
          int start = pos[0];
          pos[0] += (int) length;
          if (fieldNumber == number) {
            return Arrays.copyOfRange(message, start, pos[0]);
          }
        }
        default -> throw malformed();
      }
    }
    return null;
  }

  private static long varint(byte[] message, int[] pos) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= message.length) {
        throw malformed();
      }
      byte b = message[pos[0]++];
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw malformed();
  }

  private static void skip(byte[] message, int[] pos, int bytes) {
    if (bytes > message.length - pos[0]) {
      throw malformed();
    }
    pos[0] += bytes;
  }

  private static ApiException malformed() {
    return new ApiException(400, "BadRequest", "the protobuf body is malformed");
  }
}
