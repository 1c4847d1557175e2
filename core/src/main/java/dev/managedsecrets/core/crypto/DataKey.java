package dev.managedsecrets.core.crypto;

import java.util.Arrays;

/**
 * A data key as GenerateDataKey returns it: the plaintext (for one encryption, then destroyed) and
 * the same key wrapped under a KMS key's material.
 */
public record DataKey(byte[] plaintext, byte[] wrapped, String keyArn, int materialVersion) {

  /** Overwrites the plaintext key. */
  public void destroy() {
    Arrays.fill(plaintext, (byte) 0);
  }
}
