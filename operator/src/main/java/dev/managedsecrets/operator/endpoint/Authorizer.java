package dev.managedsecrets.operator.endpoint;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;

/**
 * Asks the API server whether the caller may do what a call does to a ManagedSecret, with a
 * SubjectAccessReview as the caller (its user and groups): the verb on {@code managedsecrets}, or
 * on {@code managedsecrets/value} for reading or writing a value. An allowed answer is reused for
 * endpoint.authorizationCacheTtl ({@link AuthorizationCache}); a refusal is asked again each time.
 */
final class Authorizer {

  static final String GROUP = "managedsecrets.dev";
  static final String RESOURCE = "managedsecrets";

  /** The value of a ManagedSecret, which {@code view} never grants. */
  static final String VALUE = "value";

  /** What a call needs: a verb on managedsecrets, or on its value subresource. */
  record Need(String verb, String subresource) {

    static Need of(String verb) {
      return new Need(verb, null);
    }

    static Need value(String verb) {
      return new Need(verb, VALUE);
    }

    String resource() {
      return subresource == null ? RESOURCE : RESOURCE + "/" + subresource;
    }
  }

  private final KubernetesClient client;
  private final AuthorizationCache cache;

  Authorizer(KubernetesClient client, AuthorizationCache cache) {
    this.client = client;
    this.cache = cache;
  }

  /**
   * Refuses with AccessDeniedException unless {@code principal} may {@code need} the ManagedSecret
   * {@code name} of {@code namespace} (name null: any of the namespace; namespace null: of every
   * namespace). The message names the caller, the operation and the resource as the caller gave it,
   * never a namespace or whether the secret exists.
   */
  void require(
      Principal principal,
      Need need,
      String namespace,
      String name,
      String operation,
      String resource) {
    if (!allowed(principal, need, namespace, name)) {
      throw denied(
          principal,
          operation,
          resource,
          "no RBAC rule allows " + need.verb() + " on " + need.resource());
    }
  }

  /**
   * AccessDeniedException as AWS words it: the caller, the operation, the resource as the caller
   * gave it, and why.
   */
  static AwsException denied(
      Principal principal, String operation, String resource, String because) {
    return new AwsException(
        "AccessDeniedException",
        400,
        "User: "
            + principal.username()
            + " is not authorized to perform: secretsmanager:"
            + operation
            + " on resource: "
            + resource
            + " because "
            + because);
  }

  boolean allowed(Principal principal, Need need, String namespace, String name) {
    return cache.allowedInNamespace(
        new AuthorizationCache.Question(
            principal, need.verb(), need.subresource(), namespace, name),
        this::review);
  }

  /** Asks the API server, with a SubjectAccessReview as the caller. */
  private boolean review(AuthorizationCache.Question q) {
    Principal principal = q.principal();
    SubjectAccessReview review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(principal.username())
            .withUid(principal.uid())
            .withGroups(principal.groups())
            .withNewResourceAttributes()
            .withGroup(GROUP)
            .withResource(RESOURCE)
            .withSubresource(q.subresource())
            .withVerb(q.verb())
            .withNamespace(q.namespace())
            .withName(q.name())
            .endResourceAttributes()
            .endSpec()
            .build();
    try {
      SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(review);
      return answer.getStatus() != null
          && Objects.equals(Boolean.TRUE, answer.getStatus().getAllowed())
          && !Objects.equals(Boolean.TRUE, answer.getStatus().getDenied());
    } catch (KubernetesClientException e) {
      throw AwsException.internal();
    }
  }
}
