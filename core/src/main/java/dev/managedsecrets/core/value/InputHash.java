package dev.managedsecrets.core.value;

import dev.managedsecrets.core.crypto.KeyedHash;

/**
 * The keyed hashes that tell whether a spec's value changed, as a version records them. {@code
 * opened}: of the inputs as plain values (sealed values opened), what decides whether a new version
 * is made. {@code sealed}: of the inputs as the spec holds them, sealed values as their ciphertext,
 * what tells without opening anything that nothing changed; null when the spec seals nothing.
 * Recorded as {@code opened} or {@code opened.sealed} (base64url has no dot), so versions recorded
 * before sealed values read as they were.
 */
public record InputHash(String opened, String sealed) {

  /** The inputs hold no sealed value: the opened hash is all there is. */
  public static InputHash plain(String opened) {
    return new InputHash(opened, null);
  }

  /** Sealed inputs before they are opened: only the hash of their ciphertext is known. */
  public static InputHash ofSealed(String sealed) {
    return new InputHash(null, sealed);
  }

  /** A version's record of it; null gives null. */
  public static InputHash parse(String recorded) {
    if (recorded == null) {
      return null;
    }
    int dot = recorded.indexOf('.');
    return dot < 0
        ? plain(recorded)
        : new InputHash(recorded.substring(0, dot), recorded.substring(dot + 1));
  }

  /** The same sealed inputs, once opened. */
  public InputHash withOpened(String openedHash) {
    return new InputHash(openedHash, sealed);
  }

  /** As a version records it. */
  public String recorded() {
    if (opened == null) {
      throw new IllegalStateException("sealed inputs are recorded once they are opened");
    }
    return sealed == null ? opened : opened + "." + sealed;
  }

  /**
   * Whether these inputs are the ones a version was made from, told without opening anything: by
   * the sealed hash when the spec seals values, else by the opened hash.
   */
  public boolean sameInputsAs(InputHash recorded) {
    if (recorded == null) {
      return false;
    }
    return sealed != null
        ? KeyedHash.same(sealed, recorded.sealed)
        : KeyedHash.same(opened, recorded.opened);
  }

  /** Whether the opened inputs are those of the recorded version: the same value. */
  public boolean sameValueAs(InputHash recorded) {
    return recorded != null && KeyedHash.same(opened, recorded.opened);
  }
}
