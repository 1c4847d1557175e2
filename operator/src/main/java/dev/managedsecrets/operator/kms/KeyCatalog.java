package dev.managedsecrets.operator.kms;

import java.util.Optional;

/**
 * Finds KMS keys by alias, key id or key ARN. The operator's keyring is one catalog (the default
 * key alias/managedsecrets); KmsKey resources are another.
 */
@FunctionalInterface
public interface KeyCatalog {

  Optional<KeyMetadata> find(String reference);

  /** Looks in this catalog first, then in the other. */
  default KeyCatalog orElse(KeyCatalog other) {
    return reference -> find(reference).or(() -> other.find(reference));
  }
}
