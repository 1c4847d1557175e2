package dev.managedsecrets.core.names;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.secret.SecretId;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names of one ManagedSecret, derived once per reconcile: its Secrets Manager name (scoped to
 * its namespace) and the name of the Secret it projects. The ARN is not here: its six-character
 * suffix is random, so it is the stored record's, known once the name is claimed.
 */
public record Names(SecretId id, String target) {

  private static final Pattern SUFFIX_LIKE = Pattern.compile(".*-[A-Za-z0-9]{6}");

  public Names {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(target, "target");
  }

  /** The names of {@code ms}, from its spec or, where the spec names none, from its metadata. */
  public static Names of(ManagedSecret ms) {
    return new Names(new SecretId(ms.getMetadata().getNamespace(), secretName(ms)), targetName(ms));
  }

  /** The Secrets Manager name of a ManagedSecret: spec.secretName or namespace/metadata.name. */
  public static String secretName(ManagedSecret ms) {
    ManagedSecretSpec spec = ms.getSpec();
    if (spec != null && spec.secretName != null) {
      return spec.secretName;
    }
    return ms.getMetadata().getNamespace() + "/" + ms.getMetadata().getName();
  }

  /** Name of the projected Secret: spec.target.name or metadata.name. */
  public static String targetName(ManagedSecret ms) {
    ManagedSecretSpec spec = ms.getSpec();
    if (spec != null && spec.target != null && spec.target.name != null) {
      return spec.target.name;
    }
    return ms.getMetadata().getName();
  }

  /** The namespace of the ManagedSecret, its secret and its projected Secret. */
  public String namespace() {
    return id.namespace();
  }

  /** The Secrets Manager name. */
  public String secretName() {
    return id.name();
  }

  /** True when the name ends like an ARN suffix, which confuses partial-ARN lookups. */
  public boolean looksLikeArnSuffix() {
    return looksLikeArnSuffix(id.name());
  }

  /** True when the name ends like an ARN suffix, which confuses partial-ARN lookups. */
  public static boolean looksLikeArnSuffix(String secretName) {
    return SUFFIX_LIKE.matcher(secretName).matches();
  }
}
