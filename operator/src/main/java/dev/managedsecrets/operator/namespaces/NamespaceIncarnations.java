package dev.managedsecrets.operator.namespaces;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Which incarnation of a namespace holds what. A namespace deleted and made again under the same
 * name is a new incarnation with a new uid; store records and KMS keys belong to the incarnation
 * that made them, so the operator asks this when it makes or takes one.
 */
public interface NamespaceIncarnations {

  /**
   * The uid of the namespace incarnation that holds {@code live}, an object that exists and is not
   * being deleted (so its namespace's incarnation now is its own).
   *
   * @throws dev.managedsecrets.core.secret.SecretsManagerException InternalServiceError when the
   *     namespace can't be read
   */
  String of(HasMetadata live);

  /**
   * The uid of the namespace {@code namespace} as it is now, or null when there is none.
   *
   * @throws dev.managedsecrets.core.secret.SecretsManagerException InternalServiceError when the
   *     namespace can't be read
   */
  String current(String namespace);

  /** Forgets what is known of an object that is being deleted. */
  default void forget(HasMetadata deleted) {}
}
