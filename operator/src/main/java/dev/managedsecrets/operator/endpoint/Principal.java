package dev.managedsecrets.operator.endpoint;

import java.util.List;

/**
 * Who signed a request, in Kubernetes' terms: the user and groups a SubjectAccessReview asks about,
 * and the namespace where the names they give resolve.
 *
 * @param username a Kubernetes user (system:serviceaccount:ns:name for a ServiceAccount)
 * @param uid the user's uid, when it has one
 * @param groups the user's groups
 * @param namespace where names resolve (a ServiceAccount's own namespace)
 */
public record Principal(String username, String uid, List<String> groups, String namespace) {

  public Principal {
    groups = List.copyOf(groups);
  }

  /** The local administrator of embedded mode: a user in system:masters. */
  public static Principal administrator(String namespace) {
    return new Principal(
        "managedsecrets:endpoint-admin",
        null,
        List.of("system:masters", "system:authenticated"),
        namespace);
  }

  /**
   * The ServiceAccount {@code namespace/name} as the API server authenticates its tokens: its user,
   * its uid, and the groups of every ServiceAccount and of its namespace.
   */
  public static Principal serviceAccount(String namespace, String name, String uid) {
    return new Principal(
        "system:serviceaccount:" + namespace + ":" + name,
        uid,
        List.of(
            "system:serviceaccounts",
            "system:serviceaccounts:" + namespace,
            "system:authenticated"),
        namespace);
  }
}
