package dev.managedsecrets.operator.kms;

import java.util.Optional;

/**
 * Finds KMS keys by alias, key id or key ARN. The operator's keyring is one catalog (the default
 * key alias/managedsecrets); KmsKey resources are another.
 */
@FunctionalInterface
public interface KeyCatalog {

  /** The key that a key id, key ARN or (for catalogs whose aliases are global) alias names. */
  Optional<KeyMetadata> find(String reference);

  /**
   * The key that a reference names as seen from a namespace: catalogs whose names are namespaced
   * (KmsKey aliases and names) look only in that namespace. Key ids and ARNs name the same key from
   * everywhere; whether the namespace may use it is {@link KeyMetadata#allows}'s business.
   */
  default Optional<KeyMetadata> find(String reference, String namespace) {
    return find(reference);
  }

  /** Looks in this catalog first, then in the other. */
  default KeyCatalog orElse(KeyCatalog other) {
    KeyCatalog first = this;
    return new KeyCatalog() {
      @Override
      public Optional<KeyMetadata> find(String reference) {
        return first.find(reference).or(() -> other.find(reference));
      }

      @Override
      public Optional<KeyMetadata> find(String reference, String namespace) {
        return first.find(reference, namespace).or(() -> other.find(reference, namespace));
      }
    };
  }
}
