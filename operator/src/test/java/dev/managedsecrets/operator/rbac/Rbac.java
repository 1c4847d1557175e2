package dev.managedsecrets.operator.rbac;

import dev.managedsecrets.operator.chart.Manifests;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Kubernetes RBAC, evaluated over rendered manifests for one ServiceAccount, as the API server's
 * authorizer does it: the rules of the roles its bindings refer to, cluster-wide for a
 * ClusterRoleBinding and in one namespace for a RoleBinding; plus what Kubernetes grants every
 * authenticated user (system:basic-user, system:discovery, system:public-info-viewer).
 */
public final class Rbac {

  /** One rule, as granted through one binding, in one namespace (null: cluster-wide). */
  public record Grant(String via, String namespace, PolicyRule rule, boolean builtIn) {

    boolean allows(ApiRequest r) {
      if (!r.isResource()) {
        return rule.getNonResourceURLs() != null
            && anyMatches(rule.getVerbs(), r.verb())
            && rule.getNonResourceURLs().stream()
                .anyMatch(u -> pathMatches(u, r.nonResourcePath()));
      }
      if (namespace != null && !namespace.equals(r.namespace())) {
        return false;
      }
      boolean names =
          rule.getResourceNames() == null
              || rule.getResourceNames().isEmpty()
              || (r.name() != null && rule.getResourceNames().contains(r.name()));
      return names
          && anyMatches(rule.getVerbs(), r.verb())
          && anyMatches(rule.getApiGroups(), r.apiGroup())
          && anyMatches(rule.getResources(), r.fullResource());
    }

    /** The single permissions (verb, group, resource, name) this grant gives. */
    List<Grant> split() {
      List<Grant> out = new ArrayList<>();
      if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
        return List.of(this);
      }
      List<String> names =
          rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
              ? java.util.Collections.singletonList(null)
              : rule.getResourceNames();
      for (String verb : rule.getVerbs()) {
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            for (String name : names) {
              out.add(
                  new Grant(
                      via,
                      namespace,
                      new PolicyRuleBuilder()
                          .withVerbs(verb)
                          .withApiGroups(group)
                          .withResources(resource)
                          .withResourceNames(name == null ? List.of() : List.of(name))
                          .build(),
                      builtIn));
            }
          }
        }
      }
      return out;
    }

    @Override
    public String toString() {
      String what =
          rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()
              ? rule.getVerbs() + " " + rule.getNonResourceURLs()
              : rule.getVerbs()
                  + " "
                  + rule.getApiGroups()
                  + "/"
                  + rule.getResources()
                  + (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                      ? ""
                      : " " + rule.getResourceNames());
      return what + (namespace == null ? " cluster-wide" : " in " + namespace) + " via " + via;
    }
  }

  private final List<Grant> grants;

  private Rbac(List<Grant> grants) {
    this.grants = grants;
  }

  /** The rights of ServiceAccount {@code namespace/name} in these manifests. */
  public static Rbac forServiceAccount(Manifests manifests, String namespace, String name) {
    List<Grant> grants = new ArrayList<>(builtIn());
    List<ClusterRole> clusterRoles = manifests.ofKind("ClusterRole", ClusterRole.class);
    List<Role> roles = manifests.ofKind("Role", Role.class);
    for (ClusterRoleBinding b : manifests.ofKind("ClusterRoleBinding", ClusterRoleBinding.class)) {
      if (binds(b.getSubjects(), null, namespace, name)) {
        String via = "ClusterRoleBinding " + b.getMetadata().getName();
        rules(b.getRoleRef(), null, clusterRoles, roles)
            .forEach(r -> grants.add(new Grant(via, null, r, false)));
      }
    }
    for (RoleBinding b : manifests.ofKind("RoleBinding", RoleBinding.class)) {
      String ns = b.getMetadata().getNamespace();
      if (binds(b.getSubjects(), ns, namespace, name)) {
        String via = "RoleBinding " + ns + "/" + b.getMetadata().getName();
        rules(b.getRoleRef(), ns, clusterRoles, roles)
            .forEach(r -> grants.add(new Grant(via, ns, r, false)));
      }
    }
    return new Rbac(grants);
  }

  /** True when some grant allows the request. */
  public boolean allows(ApiRequest request) {
    return grants.stream().anyMatch(g -> g.allows(request));
  }

  /** The requests no grant allows. */
  public List<ApiRequest> denied(Collection<ApiRequest> requests) {
    return requests.stream().filter(r -> !allows(r)).distinct().toList();
  }

  /**
   * The single permissions of the chart (not Kubernetes' built-in ones) that no request used, as
   * text.
   */
  public List<String> unused(Collection<ApiRequest> requests) {
    TreeSet<String> out = new TreeSet<>();
    for (Grant g : grants) {
      if (g.builtIn()) {
        continue;
      }
      for (Grant single : g.split()) {
        if (requests.stream().noneMatch(single::allows)) {
          out.add(single.toString());
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * What a SelfSubjectRulesReview in this namespace answers: the resource rules of every grant that
   * applies there.
   */
  public List<ResourceRule> resourceRules(String namespace) {
    return grants.stream()
        .filter(
            g -> g.rule().getNonResourceURLs() == null || g.rule().getNonResourceURLs().isEmpty())
        .filter(g -> g.namespace() == null || g.namespace().equals(namespace))
        .map(
            g ->
                new ResourceRuleBuilder()
                    .withApiGroups(g.rule().getApiGroups())
                    .withResources(g.rule().getResources())
                    .withResourceNames(
                        g.rule().getResourceNames() == null
                            ? List.of()
                            : g.rule().getResourceNames())
                    .withVerbs(g.rule().getVerbs())
                    .build())
        .toList();
  }

  /** The chart's grants (not the built-in ones), as text. */
  public List<String> grants() {
    return grants.stream().filter(g -> !g.builtIn()).map(Grant::toString).toList();
  }

  private static boolean binds(
      List<Subject> subjects, String bindingNamespace, String namespace, String name) {
    return subjects != null
        && subjects.stream()
            .anyMatch(
                s ->
                    "ServiceAccount".equals(s.getKind())
                        && name.equals(s.getName())
                        && namespace.equals(
                            Optional.ofNullable(s.getNamespace()).orElse(bindingNamespace)));
  }

  private static List<PolicyRule> rules(
      RoleRef ref, String namespace, List<ClusterRole> clusterRoles, List<Role> roles) {
    if ("ClusterRole".equals(ref.getKind())) {
      return clusterRoles.stream()
          .filter(r -> r.getMetadata().getName().equals(ref.getName()))
          .findFirst()
          .map(ClusterRole::getRules)
          .orElseThrow(() -> new AssertionError("No ClusterRole " + ref.getName()));
    }
    return roles.stream()
        .filter(
            r ->
                r.getMetadata().getName().equals(ref.getName())
                    && Objects.equals(r.getMetadata().getNamespace(), namespace))
        .findFirst()
        .map(Role::getRules)
        .orElseThrow(() -> new AssertionError("No Role " + namespace + "/" + ref.getName()));
  }

  /** What Kubernetes' bootstrap roles give every authenticated user. */
  private static List<Grant> builtIn() {
    return List.of(
        new Grant(
            "system:basic-user",
            null,
            new PolicyRuleBuilder()
                .withApiGroups("authorization.k8s.io")
                .withResources("selfsubjectaccessreviews", "selfsubjectrulesreviews")
                .withVerbs("create")
                .build(),
            true),
        new Grant(
            "system:discovery, system:public-info-viewer",
            null,
            new PolicyRuleBuilder()
                .withNonResourceURLs(
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*",
                    "/healthz",
                    "/livez",
                    "/readyz",
                    "/openapi",
                    "/openapi/*",
                    "/version",
                    "/version/")
                .withVerbs("get")
                .build(),
            true));
  }

  private static boolean anyMatches(List<String> values, String value) {
    return values != null && (values.contains("*") || values.contains(value));
  }

  private static boolean pathMatches(String pattern, String path) {
    return pattern.endsWith("*")
        ? path.startsWith(pattern.substring(0, pattern.length() - 1))
        : pattern.equals(path);
  }
}
