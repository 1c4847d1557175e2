package dev.managedsecrets.apiserver;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.AggregationRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The part of the API server's default RBAC policy that this server stores when it starts, with the
 * names, labels and rules a cluster has: cluster-admin bound to system:masters; what every
 * authenticated user may do (system:basic-user, system:discovery, system:public-info-viewer); the
 * ServiceAccount issuer's discovery for every ServiceAccount; system:auth-delegator (TokenReviews
 * and SubjectAccessReviews, for a server that delegates to the API server); and the aggregated
 * user-facing roles admin, edit and view, which hold what other ClusterRoles aggregate into them
 * (here without the rules for the built-in kinds that a cluster's system:aggregate-to-* roles add).
 */
public final class BootstrapPolicy {

  /** The label every object of the default policy carries. */
  public static final String LABEL = "kubernetes.io/bootstrapping";

  public static final String LABEL_VALUE = "rbac-defaults";

  private static final String AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-";

  private BootstrapPolicy() {}

  /** The default policy's ClusterRoles and ClusterRoleBindings, as new objects. */
  public static List<HasMetadata> objects() {
    List<HasMetadata> out = new ArrayList<>();
    out.add(
        role(
            "cluster-admin",
            Map.of(),
            rule(List.of("*"), List.of("*"), "*"),
            new PolicyRuleBuilder().withNonResourceURLs("*").withVerbs("*").build()));
    out.add(aggregated("admin", Map.of()));
    out.add(aggregated("edit", Map.of(AGGREGATE_TO + "admin", "true")));
    out.add(aggregated("view", Map.of(AGGREGATE_TO + "edit", "true")));
    out.add(
        role(
            "system:basic-user",
            Map.of(),
            rule(
                List.of("authorization.k8s.io"),
                List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews"),
                "create"),
            rule(List.of("authentication.k8s.io"), List.of("selfsubjectreviews"), "create")));
    out.add(
        role(
            "system:discovery",
            Map.of(),
            urls(
                "/api",
                "/api/*",
                "/apis",
                "/apis/*",
                "/healthz",
                "/livez",
                "/openapi",
                "/openapi/*",
                "/readyz",
                "/version",
                "/version/")));
    out.add(
        role(
            "system:public-info-viewer",
            Map.of(),
            urls("/healthz", "/livez", "/readyz", "/version", "/version/")));
    out.add(
        role(
            "system:auth-delegator",
            Map.of(),
            rule(List.of("authentication.k8s.io"), List.of("tokenreviews"), "create"),
            rule(List.of("authorization.k8s.io"), List.of("subjectaccessreviews"), "create")));
    out.add(
        role(
            "system:service-account-issuer-discovery",
            Map.of(),
            urls(
                "/.well-known/openid-configuration",
                "/.well-known/openid-configuration/",
                "/openid/v1/jwks",
                "/openid/v1/jwks/")));
    out.add(binding("cluster-admin", UserInfo.MASTERS));
    out.add(binding("system:basic-user", UserInfo.AUTHENTICATED));
    out.add(binding("system:discovery", UserInfo.AUTHENTICATED));
    out.add(binding("system:public-info-viewer", UserInfo.AUTHENTICATED, UserInfo.UNAUTHENTICATED));
    out.add(binding("system:service-account-issuer-discovery", UserInfo.SERVICE_ACCOUNTS));
    return out;
  }

  private static ObjectMeta meta(String name, Map<String, String> labels) {
    return new ObjectMetaBuilder()
        .withName(name)
        .addToLabels(LABEL, LABEL_VALUE)
        .addToLabels(labels)
        .addToAnnotations("rbac.authorization.kubernetes.io/autoupdate", "true")
        .build();
  }

  private static ClusterRole role(String name, Map<String, String> labels, PolicyRule... rules) {
    return new ClusterRoleBuilder().withMetadata(meta(name, labels)).withRules(rules).build();
  }

  /** A ClusterRole filled with the ClusterRoles labelled aggregate-to-{name}. */
  private static ClusterRole aggregated(String name, Map<String, String> labels) {
    return new ClusterRoleBuilder()
        .withMetadata(meta(name, labels))
        .withAggregationRule(
            new AggregationRuleBuilder()
                .withClusterRoleSelectors(
                    new LabelSelectorBuilder()
                        .addToMatchLabels(AGGREGATE_TO + name, "true")
                        .build())
                .build())
        .build();
  }

  private static PolicyRule rule(List<String> groups, List<String> resources, String verb) {
    return new PolicyRuleBuilder()
        .withApiGroups(groups)
        .withResources(resources)
        .withVerbs(verb)
        .build();
  }

  private static PolicyRule urls(String... urls) {
    return new PolicyRuleBuilder().withNonResourceURLs(urls).withVerbs("get").build();
  }

  private static ClusterRoleBinding binding(String name, String... groups) {
    ClusterRoleBindingBuilder b =
        new ClusterRoleBindingBuilder()
            .withMetadata(meta(name, Map.of()))
            .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name);
    for (String group : groups) {
      b.addToSubjects(
          new SubjectBuilder()
              .withApiGroup("rbac.authorization.k8s.io")
              .withKind("Group")
              .withName(group)
              .build());
    }
    return b.build();
  }
}
