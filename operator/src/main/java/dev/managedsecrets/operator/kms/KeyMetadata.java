package dev.managedsecrets.operator.kms;

import java.util.List;
import java.util.Set;

/**
 * A KMS key as the catalog knows it: its id and ARN, aliases, state, the provider that holds its
 * material and which material versions exist there (oldest first, the newest used for new data
 * keys), and the namespaces that may use it (null: every namespace, as for the default key).
 */
public record KeyMetadata(
    String keyId,
    String arn,
    List<String> aliases,
    KeyState state,
    String provider,
    List<Integer> materialVersions,
    Set<String> allowedNamespaces) {

  public KeyMetadata {
    aliases = List.copyOf(aliases);
    materialVersions = List.copyOf(materialVersions);
    allowedNamespaces = allowedNamespaces == null ? null : Set.copyOf(allowedNamespaces);
  }

  /** True when the reference is this key's id, ARN or one of its aliases. */
  public boolean isNamedBy(String reference) {
    return keyId.equals(reference) || arn.equals(reference) || aliases.contains(reference);
  }

  public boolean allows(String namespace) {
    return allowedNamespaces == null || allowedNamespaces.contains(namespace);
  }

  /** The material version new data keys are wrapped under; 0 when the key has none yet. */
  public int newestMaterialVersion() {
    return materialVersions.isEmpty() ? 0 : materialVersions.get(materialVersions.size() - 1);
  }
}
