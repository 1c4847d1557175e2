package dev.managedsecrets.core.sealing;

import java.nio.charset.StandardCharsets;

/**
 * The field of a spec a sealed value is for: one key of {@code sealedData}, or the whole value as
 * {@code sealedSecretString} or {@code sealedSecretBinary}. It is bound into the sealed value, so a
 * value sealed for one key (or form) never opens as another.
 *
 * @param form which field
 * @param key the value key of {@code sealedData}; null for a whole value
 */
public record SealingTarget(Form form, String key) {

  /** The spec's sealed fields. */
  public enum Form {
    DATA,
    SECRET_STRING,
    SECRET_BINARY
  }

  public SealingTarget {
    if ((form == Form.DATA) != (key != null)) {
      throw new IllegalArgumentException("a sealedData key, and only there");
    }
  }

  /** One key of sealedData. */
  public static SealingTarget data(String key) {
    return new SealingTarget(Form.DATA, key);
  }

  /** The whole value, sealedSecretString. */
  public static SealingTarget secretString() {
    return new SealingTarget(Form.SECRET_STRING, null);
  }

  /** The whole value, sealedSecretBinary. */
  public static SealingTarget secretBinary() {
    return new SealingTarget(Form.SECRET_BINARY, null);
  }

  /** The bytes bound into the associated data: the field, and the key of sealedData. */
  byte[] bound() {
    String text =
        switch (form) {
          case DATA -> "sealedData/" + key;
          case SECRET_STRING -> "sealedSecretString";
          case SECRET_BINARY -> "sealedSecretBinary";
        };
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Never the key's name: key names are part of the value. */
  @Override
  public String toString() {
    return "SealingTarget[" + form + "]";
  }
}
