package dev.managedsecrets.core.secret;

import java.util.Objects;

/** One tag of a secret: a key of 1-128 characters and a value of 0-256 (none is empty). */
public record SecretTag(String key, String value) {
  public SecretTag {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > 128) {
      throw new IllegalArgumentException("a tag key has 1-128 characters");
    }
    value = value == null ? "" : value;
    if (value.length() > 256) {
      throw new IllegalArgumentException("a tag value has at most 256 characters");
    }
  }
}
