package dev.managedsecrets.operator.endpoint;

/**
 * The operator's own namespace, where its store, keyring and credentials live: the endpoint makes,
 * reads and changes no secret there (unless {@code allowOperatorNamespace}), and refuses a call
 * that would before it looks anything up, answering as for a secret that is not there.
 *
 * @param namespace the operator's namespace; null when secrets are allowed there
 */
record OwnNamespace(String namespace) {

  static OwnNamespace of(String namespace, boolean allowed) {
    return new OwnNamespace(allowed ? null : namespace);
  }

  /** True when the endpoint takes no secret in {@code candidate}. */
  boolean closed(String candidate) {
    return namespace != null && namespace.equals(candidate);
  }

  /**
   * The refusal of a CreateSecret there, with the shape of RBAC's (naming no namespace), for a
   * caller RBAC lets create.
   */
  static AwsException refusal(Principal principal, String operation, String resource) {
    return Authorizer.denied(
        principal, operation, resource, "the operator's own namespace takes no secrets");
  }
}
