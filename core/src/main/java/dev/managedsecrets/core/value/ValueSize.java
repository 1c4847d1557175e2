package dev.managedsecrets.core.value;

import dev.managedsecrets.core.secret.SecretsManagerException;

/**
 * The one bound of a secret value, AWS's: at most 65,536 bytes, whatever the value is made of
 * (secretString, secretBinary, data, generate, database, fromSecret). It is checked on the
 * assembled value before it is sealed ({@link ValueAssembler#assemble}), which writes a JSON value
 * into a {@link BoundedBuffer} so that no larger value is ever held; a fromSecret source is checked
 * before its bytes are decoded ({@link #requireSource}).
 */
public final class ValueSize {

  /** AWS's SecretString and SecretBinary maximum, in bytes. */
  public static final int MAX_BYTES = 65536;

  private ValueSize() {}

  /**
   * @throws SecretsManagerException ValidationException when {@code bytes} passes the bound
   */
  static void require(long bytes, boolean binary) {
    if (bytes > MAX_BYTES) {
      throw tooLarge(binary);
    }
  }

  /**
   * Refuses a fromSecret source before its bytes are decoded: {@code bytes} is what would be taken
   * from it (the named key's value, or every key and value).
   *
   * @throws SecretsManagerException ValidationException when {@code bytes} passes the bound
   */
  public static void requireSource(String secretName, long bytes) {
    if (bytes > MAX_BYTES) {
      throw SecretsManagerException.validation(
          constraint("fromSecret")
              + ": the data taken from Secret "
              + secretName
              + " is larger than a secret value may be.");
    }
  }

  /** The number of bytes standard base64 text decodes to, computed without decoding it. */
  public static long decodedLength(String base64) {
    int chars = base64.length();
    for (int i = 0; i < 2 && chars > 0 && base64.charAt(chars - 1) == '='; i++) {
      chars--;
    }
    return (long) chars * 3 / 4;
  }

  /**
   * The number of bytes {@code text[from, to)} takes in UTF-8, as String#getBytes encodes it (a
   * lone surrogate as one byte), computed without encoding it.
   */
  public static long utf8Length(CharSequence text, int from, int to) {
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < to
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += Character.isSurrogate(c) ? 1 : 3;
      }
    }
    return n;
  }

  static SecretsManagerException tooLarge(boolean binary) {
    return SecretsManagerException.validation(
        constraint(binary ? "secretBinary" : "secretString")
            + ". A ManagedSecret's value (secretString, secretBinary, fromSecret, or data, generate"
            + " and database as one JSON object) is at most "
            + MAX_BYTES
            + " bytes.");
  }

  private static String constraint(String member) {
    return "1 validation error detected: Value at '"
        + member
        + "' failed to satisfy constraint: Member must have length less than or equal to "
        + MAX_BYTES;
  }
}
