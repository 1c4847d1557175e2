package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SecretTag;
import java.util.List;

/**
 * The spec fields that the store keeps while a secret is scheduled for deletion (description, KMS
 * key, tags), in and out of a ManagedSecret's spec: kept when its ManagedSecret is deleted, shown
 * by DescribeSecret and ListSecrets meanwhile, and given back to the ManagedSecret that
 * RestoreSecret makes.
 */
public final class KeptSpecFields {

  private KeptSpecFields() {}

  /**
   * What the store keeps of {@code spec}, or null for nothing (no spec, or none of the fields). A
   * field past its bound (the schema admits none; one written before it did) is left out, never
   * refused: a deletion must not fail on what it keeps.
   */
  public static KeptMetadata of(ManagedSecretSpec spec) {
    if (spec == null) {
      return null;
    }
    return KeptMetadata.of(
        KeptMetadata.fits(spec.description) ? spec.description : null,
        KeptMetadata.fits(spec.kmsKeyId) ? spec.kmsKeyId : null,
        tags(spec.tags));
  }

  /** The spec's tags that make tags (at most 50), in their order. */
  public static List<SecretTag> tags(List<Tag> tags) {
    return tags == null
        ? List.of()
        : tags.stream()
            .filter(t -> t != null && SecretTag.valid(t.key, t.value))
            .limit(KeptMetadata.MAX_TAGS)
            .map(t -> new SecretTag(t.key, t.value))
            .toList();
  }

  /** A spec that carries only the kept fields (none for null). */
  public static ManagedSecretSpec spec(KeptMetadata kept) {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    into(kept, spec);
    return spec;
  }

  /** Sets the kept fields on {@code spec}. */
  public static void into(KeptMetadata kept, ManagedSecretSpec spec) {
    if (kept == null) {
      return;
    }
    spec.description = kept.description();
    spec.kmsKeyId = kept.kmsKeyId();
    spec.tags =
        kept.tags().isEmpty()
            ? null
            : kept.tags().stream().map(t -> new Tag(t.key(), t.value())).toList();
  }
}
