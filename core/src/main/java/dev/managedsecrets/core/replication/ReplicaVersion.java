package dev.managedsecrets.core.replication;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * One labelled version of a secret as it travels to a replica region: its VersionId, its staging
 * labels, when it was created, and its value in the clear (the SecretString's UTF-8 bytes, or the
 * SecretBinary's bytes when {@code binary}).
 *
 * <p>The record holds the very array it is given, never a copy, so that {@link #clear()} leaves no
 * plaintext behind; {@link #value()} returns that array too. {@link #toString()} never shows it.
 *
 * @param versionId the VersionId, 1-64 characters
 * @param stages the staging labels (at most 20, each 1-256 characters, no repeats)
 * @param value the value's bytes, at most 65,536
 */
public record ReplicaVersion(
    String versionId, List<String> stages, Instant createdDate, byte[] value, boolean binary) {

  static final int MAX_VERSION_ID = 64;
  static final int MAX_STAGES = 20;
  static final int MAX_STAGE = 256;
  static final int MAX_VALUE_BYTES = 65_536;

  /**
   * @throws IllegalArgumentException when a part is missing or out of its bounds (the message gives
   *     sizes, never the value)
   */
  public ReplicaVersion {
    if (versionId == null || versionId.isEmpty() || versionId.length() > MAX_VERSION_ID) {
      throw new IllegalArgumentException(
          "a replica version's VersionId is 1-" + MAX_VERSION_ID + " characters");
    }
    if (stages == null || stages.size() > MAX_STAGES) {
      throw new IllegalArgumentException(
          "version " + versionId + " has more than " + MAX_STAGES + " staging labels");
    }
    for (String stage : stages) {
      if (stage == null || stage.isEmpty() || stage.length() > MAX_STAGE) {
        throw new IllegalArgumentException(
            "version "
                + versionId
                + " has a staging label that is not 1-"
                + MAX_STAGE
                + " characters");
      }
    }
    stages = List.copyOf(stages);
    if (new HashSet<>(stages).size() != stages.size()) {
      throw new IllegalArgumentException("version " + versionId + " has a staging label twice");
    }
    if (createdDate == null) {
      throw new IllegalArgumentException("version " + versionId + " has no creation date");
    }
    if (value == null) {
      throw new IllegalArgumentException("version " + versionId + " has no value");
    }
    if (value.length > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException(
          "version "
              + versionId
              + " has a value of "
              + value.length
              + " bytes, more than "
              + MAX_VALUE_BYTES);
    }
  }

  /** Overwrites the value's bytes with zeros. */
  public void clear() {
    Arrays.fill(value, (byte) 0);
  }

  /** Equal parts, the value compared by its bytes. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ReplicaVersion v
        && binary == v.binary
        && versionId.equals(v.versionId)
        && stages.equals(v.stages)
        && createdDate.equals(v.createdDate)
        && Arrays.equals(value, v.value);
  }

  /** Of everything but the value, which no hash table needs to see. */
  @Override
  public int hashCode() {
    return Objects.hash(versionId, stages, createdDate, binary);
  }

  /** Never the value, nor its size. */
  @Override
  public String toString() {
    return "ReplicaVersion[versionId="
        + versionId
        + ", stages="
        + stages
        + ", createdDate="
        + createdDate
        + ", binary="
        + binary
        + "]";
  }
}
