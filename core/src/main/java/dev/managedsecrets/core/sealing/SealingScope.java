package dev.managedsecrets.core.sealing;

/**
 * What a sealed value is bound to besides its value key, declared by the ManagedSecret's spec
 * ({@code sealedScope}) and never taken from the sealed value itself.
 */
public enum SealingScope {
  /** Namespace, ManagedSecret name and value key (the default). */
  STRICT("strict", 1),
  /** Namespace and value key: the value may move between ManagedSecrets of one namespace. */
  NAMESPACE_WIDE("namespace-wide", 2);

  private final String word;
  private final int code;

  SealingScope(String word, int code) {
    this.word = word;
    this.code = code;
  }

  /** As the spec writes it: {@code strict} or {@code namespace-wide}. */
  public String word() {
    return word;
  }

  /** Its byte in a sealed value's header. */
  int code() {
    return code;
  }

  /** The scope the spec declares; null (not declared) is {@link #STRICT}. */
  public static SealingScope fromSpec(String word) {
    if (word == null) {
      return STRICT;
    }
    for (SealingScope s : values()) {
      if (s.word.equals(word)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown sealing scope");
  }

  static SealingScope fromCode(int code) {
    for (SealingScope s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return null;
  }
}
