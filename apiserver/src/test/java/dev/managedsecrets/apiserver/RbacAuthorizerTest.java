package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RBAC as the API server's authorizer evaluates it, with its reasons. */
class RbacAuthorizerTest {

  private static final String GROUP = "managedsecrets.dev";
  private static final UserInfo APP = UserInfo.serviceAccount("team-a", "app", "uid-1");

  private static PolicyRule rule(String verb, String group, String... resources) {
    return new PolicyRuleBuilder()
        .withVerbs(verb)
        .withApiGroups(group)
        .withResources(resources)
        .build();
  }

  private static Subject sa(String namespace, String name) {
    return new SubjectBuilder()
        .withKind("ServiceAccount")
        .withNamespace(namespace)
        .withName(name)
        .build();
  }

  private static Subject subject(String kind, String name) {
    return new SubjectBuilder()
        .withKind(kind)
        .withApiGroup("rbac.authorization.k8s.io")
        .withName(name)
        .build();
  }

  private static HasMetadata role(String ns, String name, PolicyRule... rules) {
    return new RoleBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .withRules(rules)
        .build();
  }

  private static HasMetadata clusterRole(
      String name, Map<String, String> labels, PolicyRule... rules) {
    return new ClusterRoleBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withRules(rules)
        .build();
  }

  private static HasMetadata roleBinding(
      String ns, String name, String kind, String role, Subject... subjects) {
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", kind, role)
        .withSubjects(subjects)
        .build();
  }

  private static HasMetadata clusterRoleBinding(String name, String role, Subject... subjects) {
    return new ClusterRoleBindingBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role)
        .withSubjects(subjects)
        .build();
  }

  private static ApiRequest get(String resource, String sub, String ns, String name) {
    return new ApiRequest("get", GROUP, resource, sub, ns, name, null);
  }

  @Test
  void aRoleBindingGrantsItsServiceAccountTheSubresourceInItsNamespaceOnly() {
    RbacAuthorizer rbac =
        RbacAuthorizer.of(
            List.of(
                role("team-a", "reader", rule("get", GROUP, "managedsecrets/value")),
                roleBinding("team-a", "app-reads", "Role", "reader", sa(null, "app"))));

    RbacAuthorizer.Decision allowed =
        rbac.authorize(APP, get("managedsecrets", "value", "team-a", "db"));
    assertThat(allowed.allowed()).isTrue();
    assertThat(allowed.reason())
        .isEqualTo(
            "RBAC: allowed by RoleBinding \"app-reads/team-a\" of Role \"reader\" to"
                + " ServiceAccount \"app/team-a\"");

    assertThat(rbac.authorize(APP, get("managedsecrets", null, "team-a", "db")))
        .as("the object itself is not its value")
        .isEqualTo(new RbacAuthorizer.Decision(false, ""));
    assertThat(rbac.authorize(APP, get("managedsecrets", "value", "team-b", "db")).allowed())
        .as("another namespace")
        .isFalse();
    assertThat(rbac.authorize(APP, get("managedsecrets", "value", null, "db")).allowed())
        .as("all namespaces")
        .isFalse();
    assertThat(
            rbac.authorize(
                    UserInfo.serviceAccount("team-b", "app", "uid-2"),
                    get("managedsecrets", "value", "team-a", "db"))
                .allowed())
        .as("a ServiceAccount of the same name in another namespace")
        .isFalse();
  }

  @Test
  void aClusterRoleAppliesInTheRoleBindingsNamespaceAndEverywhereThroughAClusterRoleBinding() {
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(clusterRole("ms-reader", Map.of(), rule("list", GROUP, "managedsecrets")));
    objects.add(
        roleBinding(
            "team-a", "readers", "ClusterRole", "ms-reader", subject("Group", "team-a-devs")));
    UserInfo dev = new UserInfo("alice", "", List.of("team-a-devs"), Map.of());
    ApiRequest listA = new ApiRequest("list", GROUP, "managedsecrets", null, "team-a", null, null);
    ApiRequest listAll = new ApiRequest("list", GROUP, "managedsecrets", null, null, null, null);

    RbacAuthorizer rbac = RbacAuthorizer.of(objects);
    assertThat(rbac.authorize(dev, listA).reason())
        .isEqualTo(
            "RBAC: allowed by RoleBinding \"readers/team-a\" of ClusterRole \"ms-reader\" to"
                + " Group \"team-a-devs\"");
    assertThat(rbac.authorize(dev, listAll).allowed()).isFalse();

    objects.add(clusterRoleBinding("all-readers", "ms-reader", subject("User", "alice")));
    rbac = RbacAuthorizer.of(objects);
    assertThat(rbac.authorize(dev, listAll).reason())
        .isEqualTo(
            "RBAC: allowed by ClusterRoleBinding \"all-readers\" of ClusterRole \"ms-reader\" to"
                + " User \"alice\"");
    assertThat(rbac.authorize(new UserInfo("bob", "", List.of(), Map.of()), listAll).allowed())
        .isFalse();
  }

  @Test
  void resourceNamesWildcardsAndSubresourceWildcardsMatchAsKubernetesMatchesThem() {
    RbacAuthorizer rbac =
        RbacAuthorizer.of(
            List.of(
                role(
                    "team-a",
                    "narrow",
                    new PolicyRuleBuilder()
                        .withVerbs("get", "update")
                        .withApiGroups(GROUP)
                        .withResources("managedsecrets")
                        .withResourceNames("db")
                        .build(),
                    rule("patch", GROUP, "*/status"),
                    rule("*", "*", "kmskeys")),
                roleBinding("team-a", "b", "Role", "narrow", sa("team-a", "app"))));
    assertThat(rbac.authorize(APP, get("managedsecrets", null, "team-a", "db")).allowed()).isTrue();
    assertThat(rbac.authorize(APP, get("managedsecrets", null, "team-a", "other")).allowed())
        .isFalse();
    assertThat(
            rbac.authorize(
                    APP,
                    new ApiRequest("list", GROUP, "managedsecrets", null, "team-a", null, null))
                .allowed())
        .as("a list names no object")
        .isFalse();
    assertThat(
            rbac.authorize(
                    APP,
                    new ApiRequest("patch", GROUP, "managedsecrets", "status", "team-a", "x", null))
                .allowed())
        .isTrue();
    assertThat(
            rbac.authorize(
                    APP, new ApiRequest("delete", "other.io", "kmskeys", null, "team-a", "k", null))
                .allowed())
        .isTrue();
    assertThat(
            rbac.authorize(
                    APP, new ApiRequest("delete", GROUP, "kmskeys", "status", "team-a", "k", null))
                .allowed())
        .as("a resource does not grant its subresources")
        .isFalse();
  }

  @Test
  void nonResourceUrlsAreGrantedCluterWideOnlyWithATrailingWildcardAsAPrefix() {
    RbacAuthorizer rbac =
        RbacAuthorizer.of(
            List.of(
                clusterRole(
                    "health",
                    Map.of(),
                    new PolicyRuleBuilder()
                        .withNonResourceURLs("/healthz/*", "/metrics")
                        .withVerbs("get")
                        .build()),
                clusterRoleBinding("health", "health", subject("User", "probe")),
                roleBinding(
                    "team-a", "health", "ClusterRole", "health", subject("User", "local"))));
    UserInfo probe = new UserInfo("probe", "", List.of(), Map.of());
    assertThat(rbac.authorize(probe, ApiRequest.nonResource("GET", "/healthz/etcd")).allowed())
        .isTrue();
    assertThat(rbac.authorize(probe, ApiRequest.nonResource("GET", "/metrics")).allowed()).isTrue();
    assertThat(rbac.authorize(probe, ApiRequest.nonResource("POST", "/metrics")).allowed())
        .isFalse();
    assertThat(rbac.authorize(probe, ApiRequest.nonResource("GET", "/metricsz")).allowed())
        .isFalse();
    assertThat(
            rbac.authorize(
                    new UserInfo("local", "", List.of(), Map.of()),
                    ApiRequest.nonResource("GET", "/metrics"))
                .allowed())
        .as("through a RoleBinding")
        .isFalse();
  }

  @Test
  void anAggregatedClusterRoleHasTheRulesOfTheRolesItsSelectorsChooseAndPassesThemOn() {
    List<HasMetadata> objects = new ArrayList<>(BootstrapPolicy.objects());
    objects.add(
        clusterRole(
            "managedsecrets-view",
            Map.of("rbac.authorization.k8s.io/aggregate-to-view", "true"),
            rule("list", GROUP, "managedsecrets")));
    objects.add(
        clusterRole(
            "managedsecrets-read-values",
            Map.of("rbac.authorization.k8s.io/aggregate-to-admin", "true"),
            rule("get", GROUP, "managedsecrets/value")));
    objects.add(
        new ClusterRoleBuilder()
            .withNewMetadata()
            .withName("by-expression")
            .endMetadata()
            .withNewAggregationRule()
            .withClusterRoleSelectors(
                new LabelSelectorBuilder()
                    .addNewMatchExpression()
                    .withKey("rbac.authorization.k8s.io/aggregate-to-view")
                    .withOperator("In")
                    .withValues("true", "yes")
                    .endMatchExpression()
                    .build())
            .endAggregationRule()
            .build());
    objects.add(roleBinding("team-a", "viewers", "ClusterRole", "view", subject("User", "v")));
    objects.add(roleBinding("team-a", "admins", "ClusterRole", "admin", subject("User", "a")));
    objects.add(
        roleBinding("team-a", "expr", "ClusterRole", "by-expression", subject("User", "e")));
    RbacAuthorizer rbac = RbacAuthorizer.of(objects);
    ApiRequest list = new ApiRequest("list", GROUP, "managedsecrets", null, "team-a", null, null);
    ApiRequest value = get("managedsecrets", "value", "team-a", "db");
    UserInfo viewer = new UserInfo("v", "", List.of(), Map.of());
    UserInfo admin = new UserInfo("a", "", List.of(), Map.of());

    assertThat(rbac.authorize(viewer, list).allowed()).isTrue();
    assertThat(rbac.authorize(viewer, value).allowed()).as("view never reads values").isFalse();
    assertThat(rbac.authorize(admin, list).allowed()).as("view is in edit, edit in admin").isTrue();
    assertThat(rbac.authorize(admin, value).allowed()).isTrue();
    assertThat(rbac.authorize(new UserInfo("e", "", List.of(), Map.of()), list).allowed()).isTrue();
  }

  @Test
  void theDefaultPolicyLetsEveryAuthenticatedUserDiscoverAndReviewItselfAndMastersDoAnything() {
    RbacAuthorizer rbac = RbacAuthorizer.of(BootstrapPolicy.objects());
    assertThat(rbac.authorize(APP, ApiRequest.nonResource("GET", "/apis/apps/v1")).reason())
        .isEqualTo(
            "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole"
                + " \"system:discovery\" to Group \"system:authenticated\"");
    assertThat(
            rbac.authorize(
                    APP,
                    ApiRequest.implied(
                        "create", "authorization.k8s.io", "selfsubjectaccessreviews", null, null))
                .allowed())
        .isTrue();
    assertThat(
            rbac.authorize(APP, new ApiRequest("list", "", "secrets", null, "team-a", null, null))
                .allowed())
        .isFalse();
    assertThat(
            rbac.authorize(
                UserInfo.ADMIN, new ApiRequest("delete", "", "namespaces", null, "x", "x", null)))
        .as("system:masters, before RBAC")
        .isEqualTo(new RbacAuthorizer.Decision(true, ""));
    assertThat(rbac.grants(APP)).allMatch(RbacAuthorizer.Grant::bootstrap);
  }

  @Test
  void aBindingToAMissingRoleIsNamedInTheReasonOfARefusal() {
    RbacAuthorizer rbac =
        RbacAuthorizer.of(
            List.of(
                roleBinding("team-a", "b", "Role", "gone", sa(null, "app")),
                clusterRoleBinding("c", "also-gone", sa("team-a", "app"))));
    assertThat(rbac.authorize(APP, get("managedsecrets", null, "team-a", "db")))
        .isEqualTo(
            new RbacAuthorizer.Decision(
                false,
                "RBAC: [clusterrole.rbac.authorization.k8s.io \"also-gone\" not found,"
                    + " role.rbac.authorization.k8s.io \"gone\" not found]"));
  }

  @Test
  void aServiceAccountSubjectWithoutNamespaceInAClusterRoleBindingIsNoOne() {
    RbacAuthorizer rbac =
        RbacAuthorizer.of(
            List.of(
                clusterRole("all", Map.of(), rule("*", "*", "*")),
                clusterRoleBinding("c", "all", sa(null, "app"))));
    assertThat(rbac.authorize(APP, get("managedsecrets", null, "team-a", "db")).allowed())
        .isFalse();
  }
}
