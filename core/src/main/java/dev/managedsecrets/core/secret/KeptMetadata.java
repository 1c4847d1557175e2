package dev.managedsecrets.core.secret;

import java.util.List;

/**
 * What a deleted ManagedSecret said of its secret besides the value: its description, KMS key and
 * tags. The store keeps them on the record while the secret is scheduled for deletion, so that
 * DescribeSecret and ListSecrets show them as AWS does and RestoreSecret brings them back. Bounded
 * as the spec bounds them (a description of at most 2,048 characters, at most 50 tags).
 *
 * @param description the description, or null for none
 * @param kmsKeyId the KMS key as the spec named it, or null for the default key
 * @param tags the tags in the spec's order (empty for none)
 */
public record KeptMetadata(String description, String kmsKeyId, List<SecretTag> tags) {

  public static final int MAX_DESCRIPTION = 2048;
  public static final int MAX_TAGS = 50;

  public KeptMetadata {
    tags = tags == null ? List.of() : List.copyOf(tags);
    if (!fits(description) || !fits(kmsKeyId)) {
      throw new IllegalArgumentException("a description or KMS key id has at most 2048 characters");
    }
    if (tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException("at most 50 tags");
    }
  }

  /** True when {@code text} is at most 2,048 characters, counted as Kubernetes counts them. */
  public static boolean fits(String text) {
    return text == null || text.codePointCount(0, text.length()) <= MAX_DESCRIPTION;
  }

  /** The metadata of a ManagedSecret's fields, or null when there is none to keep. */
  public static KeptMetadata of(String description, String kmsKeyId, List<SecretTag> tags) {
    boolean none =
        (description == null || description.isEmpty())
            && kmsKeyId == null
            && (tags == null || tags.isEmpty());
    return none ? null : new KeptMetadata(description, kmsKeyId, tags);
  }
}
