package dev.managedsecrets.operator.rbac;

import dev.managedsecrets.apiserver.ApiRequest;
import dev.managedsecrets.apiserver.BootstrapPolicy;
import dev.managedsecrets.apiserver.RbacAuthorizer;
import dev.managedsecrets.apiserver.RbacAuthorizer.Grant;
import dev.managedsecrets.apiserver.UserInfo;
import dev.managedsecrets.operator.chart.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * The rights of one ServiceAccount in rendered manifests, as the API server's RBAC authorizer
 * ({@link RbacAuthorizer}, the in-memory API server's) evaluates them, with the API server's
 * default policy ({@link BootstrapPolicy}: what every authenticated user and every ServiceAccount
 * may do) beside the chart's roles and bindings.
 */
public final class Rbac {

  private static final String EVERY_USER = "to Group \"system:authenticated\"";

  private final RbacAuthorizer authorizer;
  private final UserInfo user;
  private final List<Grant> grants;

  private Rbac(RbacAuthorizer authorizer, UserInfo user) {
    this.authorizer = authorizer;
    this.user = user;
    this.grants = authorizer.grants(user);
  }

  /** The rights of ServiceAccount {@code namespace/name} in these manifests. */
  public static Rbac forServiceAccount(Manifests manifests, String namespace, String name) {
    List<HasMetadata> objects = new ArrayList<>(BootstrapPolicy.objects());
    objects.addAll(manifests.ofKind("ClusterRole", ClusterRole.class));
    objects.addAll(manifests.ofKind("Role", Role.class));
    objects.addAll(manifests.ofKind("ClusterRoleBinding", ClusterRoleBinding.class));
    objects.addAll(manifests.ofKind("RoleBinding", RoleBinding.class));
    UserInfo user = UserInfo.serviceAccount(namespace, name, "");
    RbacAuthorizer authorizer = RbacAuthorizer.of(objects);
    List<String> unresolved = authorizer.unresolved(user);
    if (!unresolved.isEmpty()) {
      throw new AssertionError("The chart binds roles it does not render: " + unresolved);
    }
    return new Rbac(authorizer, user);
  }

  /** True when the authorizer allows the request. */
  public boolean allows(ApiRequest request) {
    return authorizer.authorize(user, request).allowed();
  }

  /** The requests no grant allows. */
  public List<ApiRequest> denied(Collection<ApiRequest> requests) {
    return requests.stream().filter(r -> !allows(r)).distinct().toList();
  }

  /**
   * The single permissions of the chart (not the API server's default policy) that no request used,
   * as text.
   */
  public List<String> unused(Collection<ApiRequest> requests) {
    TreeSet<String> out = new TreeSet<>();
    for (Grant g : grants) {
      if (g.bootstrap() || g.via().endsWith(EVERY_USER)) {
        // The API server's own policy, and what the chart grants every authenticated user (the
        // published sealing keys, the re-seal proxy: for people, checked by ChartRenderIT), are
        // not the operator's to use.
        continue;
      }
      for (Grant single : split(g)) {
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
    return authorizer.rules(user, namespace).stream()
        .filter(r -> r.getNonResourceURLs() == null || r.getNonResourceURLs().isEmpty())
        .map(
            r ->
                new ResourceRuleBuilder()
                    .withApiGroups(r.getApiGroups())
                    .withResources(r.getResources())
                    .withResourceNames(
                        r.getResourceNames() == null ? List.of() : r.getResourceNames())
                    .withVerbs(r.getVerbs())
                    .build())
        .toList();
  }

  /** The chart's grants (not the default policy's), as text. */
  public List<String> grants() {
    return grants.stream().filter(g -> !g.bootstrap()).map(Grant::toString).toList();
  }

  /** The single permissions (verb, group, resource, name) a grant gives. */
  private static List<Grant> split(Grant g) {
    PolicyRule rule = g.rule();
    if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
      return List.of(g);
    }
    List<String> names =
        rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
            ? Collections.singletonList(null)
            : rule.getResourceNames();
    List<Grant> out = new ArrayList<>();
    for (String verb : rule.getVerbs()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String name : names) {
            out.add(
                new Grant(
                    g.via(),
                    g.namespace(),
                    new PolicyRuleBuilder()
                        .withVerbs(verb)
                        .withApiGroups(group)
                        .withResources(resource)
                        .withResourceNames(name == null ? List.of() : List.of(name))
                        .build(),
                    g.bootstrap()));
          }
        }
      }
    }
    return out;
  }
}
