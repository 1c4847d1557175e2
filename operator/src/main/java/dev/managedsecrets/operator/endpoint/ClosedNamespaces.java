package dev.managedsecrets.operator.endpoint;

import java.util.List;
import java.util.Set;

/**
 * The namespaces where the endpoint makes, reads and changes no secret, and refuses a call that
 * would before it looks anything up, answering as for a secret that is not there: the operator's
 * own namespace, where its store, keyring and credentials live (unless {@code
 * allowOperatorNamespace}), and, when the operator watches some namespaces only, every other one (a
 * ManagedSecret made there would never be reconciled).
 *
 * @param own the operator's namespace; null when secrets are allowed there
 * @param watched the namespaces the operator watches; empty: every namespace
 */
record ClosedNamespaces(String own, Set<String> watched) {

  ClosedNamespaces {
    watched = Set.copyOf(watched);
  }

  static ClosedNamespaces of(String own, boolean ownAllowed, List<String> watched) {
    return new ClosedNamespaces(ownAllowed ? null : own, Set.copyOf(watched));
  }

  /** True when the endpoint takes no secret in {@code candidate}. */
  boolean closed(String candidate) {
    return (own != null && own.equals(candidate))
        || (!watched.isEmpty() && !watched.contains(candidate));
  }

  /**
   * The refusal of a CreateSecret in {@code namespace}, closed, with the shape of RBAC's (naming no
   * namespace), for a caller RBAC lets create.
   */
  AwsException refusal(Principal principal, String operation, String resource, String namespace) {
    return Authorizer.denied(
        principal,
        operation,
        resource,
        own != null && own.equals(namespace)
            ? "the operator's own namespace takes no secrets"
            : "the operator does not serve this namespace (it watches other namespaces only)");
  }
}
