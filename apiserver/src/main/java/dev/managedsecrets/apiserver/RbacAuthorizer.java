package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kubernetes RBAC over a set of Roles, ClusterRoles, RoleBindings and ClusterRoleBindings, as the
 * API server's authorizer evaluates it: a request is allowed when a rule of a role that a binding
 * of the user (by name, group or ServiceAccount) refers to allows it, cluster-wide through a
 * ClusterRoleBinding and in the binding's namespace through a RoleBinding; members of
 * system:masters are allowed everything. A ClusterRole with an aggregationRule has the rules of the
 * ClusterRoles its selectors choose, as the aggregation controller fills them. Reasons are worded
 * as the RBAC authorizer words them. Immutable: build a new one when the roles change.
 */
public final class RbacAuthorizer {

  /**
   * One rule as granted through one binding: {@code via} describes the binding as the authorizer's
   * reason does, {@code namespace} is null for a ClusterRoleBinding's, and {@code bootstrap} is
   * true for a binding of the API server's own default policy ({@link BootstrapPolicy}).
   */
  public record Grant(String via, String namespace, PolicyRule rule, boolean bootstrap) {

    /** Whether this rule, where it applies, allows the request (RBAC's RuleAllows). */
    public boolean allows(ApiRequest r) {
      if (!r.isResource()) {
        return namespace == null
            && matches(rule.getVerbs(), r.verb())
            && nonResourceUrlMatches(rule.getNonResourceURLs(), r.nonResourcePath());
      }
      if (namespace != null && !namespace.equals(r.namespace())) {
        return false;
      }
      return matches(rule.getVerbs(), r.verb())
          && matches(rule.getApiGroups(), r.apiGroup())
          && resourceMatches(rule.getResources(), r)
          && nameMatches(rule.getResourceNames(), r.name());
    }

    @Override
    public String toString() {
      String what =
          isNonResource(rule)
              ? rule.getVerbs() + " " + rule.getNonResourceURLs()
              : rule.getVerbs()
                  + " "
                  + rule.getApiGroups()
                  + "/"
                  + rule.getResources()
                  + (isEmpty(rule.getResourceNames()) ? "" : " " + rule.getResourceNames());
      return what + (namespace == null ? " cluster-wide" : " in " + namespace) + " via " + via;
    }
  }

  /** An authorizer's answer: allowed or not (no opinion), and its reason ("" for none). */
  public record Decision(boolean allowed, String reason) {}

  /** The rules that apply to a user, and the bindings whose roles could not be found. */
  private record Resolved(List<Grant> grants, List<String> errors) {}

  private final List<ClusterRoleBinding> clusterRoleBindings;
  private final Map<String, List<RoleBinding>> roleBindings;
  private final Map<String, ClusterRole> clusterRoles;
  private final Map<String, Role> roles;

  /** The effective rules of each ClusterRole (aggregated where it has an aggregationRule). */
  private final Map<String, List<PolicyRule>> clusterRoleRules = new LinkedHashMap<>();

  private RbacAuthorizer(Collection<? extends HasMetadata> objects) {
    List<ClusterRoleBinding> crbs = new ArrayList<>();
    Map<String, List<RoleBinding>> rbs = new TreeMap<>();
    Map<String, ClusterRole> crs = new TreeMap<>();
    Map<String, Role> rs = new TreeMap<>();
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRoleBinding b) {
        crbs.add(b);
      } else if (o instanceof RoleBinding b) {
        rbs.computeIfAbsent(b.getMetadata().getNamespace(), ns -> new ArrayList<>()).add(b);
      } else if (o instanceof ClusterRole r) {
        crs.put(r.getMetadata().getName(), r);
      } else if (o instanceof Role r) {
        rs.put(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), r);
      }
    }
    Comparator<HasMetadata> byName = Comparator.comparing(o -> o.getMetadata().getName());
    crbs.sort(byName);
    rbs.values().forEach(l -> l.sort(byName));
    this.clusterRoleBindings = List.copyOf(crbs);
    this.roleBindings = rbs;
    this.clusterRoles = crs;
    this.roles = rs;
    for (String name : crs.keySet()) {
      clusterRoleRules.put(name, List.copyOf(aggregated(name, new HashSet<>())));
    }
  }

  /** RBAC over these objects; objects of other kinds are ignored. */
  public static RbacAuthorizer of(Collection<? extends HasMetadata> objects) {
    return new RbacAuthorizer(objects);
  }

  /** RBAC over objects as stored (JSON), e.g. the items of the four RBAC lists. */
  static RbacAuthorizer fromJson(Iterable<JsonNode> objects) {
    List<HasMetadata> typed = new ArrayList<>();
    for (JsonNode o : objects) {
      Class<? extends HasMetadata> type =
          switch (o.path("kind").asText()) {
            case "ClusterRole" -> ClusterRole.class;
            case "Role" -> Role.class;
            case "ClusterRoleBinding" -> ClusterRoleBinding.class;
            case "RoleBinding" -> RoleBinding.class;
            default -> null;
          };
      if (type != null) {
        typed.add(Serialization.jsonMapper().convertValue(o, type));
      }
    }
    return new RbacAuthorizer(typed);
  }

  /**
   * Whether {@code user} may make {@code request}, with the reason the API server gives: {@code
   * RBAC: allowed by ClusterRoleBinding "..." of ClusterRole "..." to Group "..."} when a binding
   * allows it, "" for a member of system:masters, and when nothing allows it "" or the bindings
   * whose roles are missing.
   */
  public Decision authorize(UserInfo user, ApiRequest request) {
    if (user.isPrivileged()) {
      return new Decision(true, "");
    }
    Resolved resolved = resolve(user, request.isResource() ? request.namespace() : null, false);
    for (Grant g : resolved.grants()) {
      if (g.allows(request)) {
        return new Decision(true, "RBAC: allowed by " + g.via());
      }
    }
    List<String> errors = resolved.errors();
    return new Decision(
        false,
        errors.isEmpty()
            ? ""
            : "RBAC: "
                + (errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]"));
  }

  /** Every rule that applies to {@code user}, cluster-wide and in every namespace. */
  public List<Grant> grants(UserInfo user) {
    return resolve(user, null, true).grants();
  }

  /**
   * The bindings of {@code user}, in any namespace, whose roles cannot be found, as the reasons of
   * the authorizer name them (e.g. {@code role.rbac.authorization.k8s.io "x" not found}).
   */
  public List<String> unresolved(UserInfo user) {
    return resolve(user, null, true).errors();
  }

  /**
   * The rules that apply to {@code user} in {@code namespace} (null: cluster-wide only), as a
   * SelfSubjectRulesReview lists them.
   */
  public List<PolicyRule> rules(UserInfo user, String namespace) {
    return resolve(user, namespace, false).grants().stream().map(Grant::rule).toList();
  }

  private Resolved resolve(UserInfo user, String namespace, boolean everyNamespace) {
    List<Grant> grants = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (ClusterRoleBinding b : clusterRoleBindings) {
      Subject s = subjectFor(user, b.getSubjects(), "");
      if (s != null) {
        String via =
            "ClusterRoleBinding "
                + quote(b.getMetadata().getName())
                + " of "
                + describe(b.getRoleRef())
                + " to "
                + describe(s, "");
        add(grants, errors, b.getRoleRef(), null, via, isBootstrap(b));
      }
    }
    List<RoleBinding> bindings = new ArrayList<>();
    if (everyNamespace) {
      roleBindings.values().forEach(bindings::addAll);
    } else if (namespace != null) {
      bindings.addAll(roleBindings.getOrDefault(namespace, List.of()));
    }
    for (RoleBinding b : bindings) {
      String ns = b.getMetadata().getNamespace();
      Subject s = subjectFor(user, b.getSubjects(), ns);
      if (s != null) {
        String via =
            "RoleBinding "
                + quote(b.getMetadata().getName() + "/" + ns)
                + " of "
                + describe(b.getRoleRef())
                + " to "
                + describe(s, ns);
        add(grants, errors, b.getRoleRef(), ns, via, isBootstrap(b));
      }
    }
    return new Resolved(grants, errors);
  }

  private void add(
      List<Grant> grants,
      List<String> errors,
      RoleRef ref,
      String namespace,
      String via,
      boolean bootstrap) {
    List<PolicyRule> rules;
    if ("ClusterRole".equals(ref.getKind())) {
      rules = clusterRoleRules.get(ref.getName());
      if (rules == null) {
        errors.add("clusterrole.rbac.authorization.k8s.io " + quote(ref.getName()) + " not found");
        return;
      }
    } else if ("Role".equals(ref.getKind()) && namespace != null) {
      Role role = roles.get(namespace + "/" + ref.getName());
      if (role == null) {
        errors.add("role.rbac.authorization.k8s.io " + quote(ref.getName()) + " not found");
        return;
      }
      rules = role.getRules() == null ? List.of() : role.getRules();
    } else {
      errors.add("unsupported role reference kind: " + quote(ref.getKind()));
      return;
    }
    for (PolicyRule rule : rules) {
      grants.add(new Grant(via, namespace, rule, bootstrap));
    }
  }

  /**
   * The rules of a ClusterRole: its own, or with an aggregationRule those of every other
   * ClusterRole that a selector chooses, by name, each rule once (as the controller fills them).
   */
  private List<PolicyRule> aggregated(String name, Set<String> seen) {
    ClusterRole role = clusterRoles.get(name);
    if (role.getAggregationRule() == null
        || role.getAggregationRule().getClusterRoleSelectors() == null) {
      return role.getRules() == null ? List.of() : role.getRules();
    }
    if (!seen.add(name)) {
      return role.getRules() == null ? List.of() : role.getRules();
    }
    List<PolicyRule> out = new ArrayList<>();
    for (LabelSelector selector : role.getAggregationRule().getClusterRoleSelectors()) {
      for (ClusterRole other : clusterRoles.values()) {
        String otherName = other.getMetadata().getName();
        if (otherName.equals(name) || !selects(selector, other.getMetadata().getLabels())) {
          continue;
        }
        for (PolicyRule rule : aggregated(otherName, seen)) {
          if (!out.contains(rule)) {
            out.add(rule);
          }
        }
      }
    }
    seen.remove(name);
    return out;
  }

  /** A label selector over a set of labels (matchLabels and matchExpressions, ANDed). */
  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!Objects.equals(l.get(e.getKey()), e.getValue())) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String value = l.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        boolean ok =
            switch (r.getOperator()) {
              case "In" -> value != null && values.contains(value);
              case "NotIn" -> value == null || !values.contains(value);
              case "Exists" -> value != null;
              case "DoesNotExist" -> value == null;
              default -> false;
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** The first subject of a binding that is this user, or null (RBAC's appliesTo). */
  private static Subject subjectFor(UserInfo user, List<Subject> subjects, String bindingNs) {
    if (subjects == null) {
      return null;
    }
    for (Subject s : subjects) {
      boolean applies =
          switch (Objects.toString(s.getKind(), "")) {
            case "User" -> user.name().equals(s.getName());
            case "Group" -> user.groups().contains(s.getName());
            case "ServiceAccount" -> {
              String ns = isEmpty(s.getNamespace()) ? bindingNs : s.getNamespace();
              yield !ns.isEmpty()
                  && user.name().equals(UserInfo.serviceAccountName(ns, s.getName()));
            }
            default -> false;
          };
      if (applies) {
        return s;
      }
    }
    return null;
  }

  private static boolean isBootstrap(HasMetadata binding) {
    Map<String, String> labels = binding.getMetadata().getLabels();
    return labels != null && BootstrapPolicy.LABEL_VALUE.equals(labels.get(BootstrapPolicy.LABEL));
  }

  private static String describe(RoleRef ref) {
    return ref.getKind() + " " + quote(ref.getName());
  }

  private static String describe(Subject s, String bindingNamespace) {
    if ("ServiceAccount".equals(s.getKind())) {
      String ns = isEmpty(s.getNamespace()) ? bindingNamespace : s.getNamespace();
      return s.getKind() + " " + quote(s.getName() + "/" + ns);
    }
    return s.getKind() + " " + quote(s.getName());
  }

  private static String quote(String s) {
    return ApiException.quote(s);
  }

  static boolean isNonResource(PolicyRule rule) {
    return !isEmpty(rule.getNonResourceURLs());
  }

  private static boolean isEmpty(Collection<?> c) {
    return c == null || c.isEmpty();
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  private static boolean matches(List<String> values, String value) {
    return values != null && (values.contains("*") || values.contains(value));
  }

  /** resource or resource/subresource, {@code *}, or {@code *}/subresource. */
  private static boolean resourceMatches(List<String> resources, ApiRequest r) {
    if (resources == null) {
      return false;
    }
    String combined = r.fullResource();
    String sub = r.subresource();
    for (String resource : resources) {
      if (resource.equals("*") || resource.equals(combined)) {
        return true;
      }
      if (sub != null && !sub.isEmpty() && resource.equals("*/" + sub)) {
        return true;
      }
    }
    return false;
  }

  private static boolean nameMatches(List<String> names, String name) {
    return isEmpty(names) || (name != null && names.contains(name));
  }

  private static boolean nonResourceUrlMatches(List<String> urls, String path) {
    if (urls == null || path == null) {
      return false;
    }
    for (String url : urls) {
      if (url.equals("*")
          || url.equals(path)
          || (url.endsWith("*") && path.startsWith(url.substring(0, url.length() - 1)))) {
        return true;
      }
    }
    return false;
  }
}
