package dev.managedsecrets.core.secret;

import java.util.Objects;

/**
 * One tag of a secret: a key of 1-128 characters and a value of 0-256 (none is empty), counted as
 * Kubernetes counts them (Unicode code points, not UTF-16 units).
 */
public record SecretTag(String key, String value) {
  public SecretTag {
    Objects.requireNonNull(key, "key");
    value = value == null ? "" : value;
    if (!valid(key, value)) {
      throw new IllegalArgumentException(
          "a tag has a key of 1-128 characters and a value of 0-256");
    }
  }

  /** True when {@code key} and {@code value} make a tag (a null value is empty). */
  public static boolean valid(String key, String value) {
    if (key == null) {
      return false;
    }
    int keyLength = key.codePointCount(0, key.length());
    return keyLength >= 1
        && keyLength <= 128
        && (value == null || value.codePointCount(0, value.length()) <= 256);
  }
}
