package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The built-in kinds as discovery, OpenAPI v3 and Tables show them: every kind the Helm chart
 * renders (for any values) is one a cluster serves without a CRD, except the Prometheus Operator's
 * ServiceMonitor.
 */
class DiscoveryTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** apiVersion, kind, plural, namespaced, short name ("" for none). */
  private static final List<List<String>> CHART_KINDS =
      List.of(
          List.of("v1", "ConfigMap", "configmaps", "true", "cm"),
          List.of("v1", "Namespace", "namespaces", "false", "ns"),
          List.of("v1", "Service", "services", "true", "svc"),
          List.of("v1", "ServiceAccount", "serviceaccounts", "true", "sa"),
          List.of("apps/v1", "Deployment", "deployments", "true", "deploy"),
          // Restarted by target.rolloutRestart.
          List.of("apps/v1", "StatefulSet", "statefulsets", "true", "sts"),
          List.of("apps/v1", "DaemonSet", "daemonsets", "true", "ds"),
          List.of("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", "true", "pdb"),
          List.of("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", "true", "netpol"),
          List.of("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", "false", ""),
          List.of(
              "rbac.authorization.k8s.io/v1",
              "ClusterRoleBinding",
              "clusterrolebindings",
              "false",
              ""),
          List.of("rbac.authorization.k8s.io/v1", "Role", "roles", "true", ""),
          List.of("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", "true", ""),
          List.of(
              "apiextensions.k8s.io/v1",
              "CustomResourceDefinition",
              "customresourcedefinitions",
              "false",
              "crd"));

  @Test
  void everyKindTheChartRendersIsDiscoverableWithItsPluralScopeAndShortName() {
    JsonNode groups = Discovery.answer("/apis", ResourceType.BUILT_IN);
    for (List<String> k : CHART_KINDS) {
      String apiVersion = k.get(0);
      String path = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
      JsonNode list = Discovery.answer(path, ResourceType.BUILT_IN);
      assertThat(list).as("discovery of %s", path).isNotNull();
      assertThat(list.path("groupVersion").asText()).isEqualTo(apiVersion);
      JsonNode resource = null;
      for (JsonNode r : list.path("resources")) {
        // The kind itself, not a subresource of it (customresourcedefinitions/status has its kind).
        if (r.path("kind").asText().equals(k.get(1)) && !r.path("name").asText().contains("/")) {
          resource = r;
        }
      }
      assertThat(resource).as("%s %s in %s", apiVersion, k.get(1), list).isNotNull();
      assertThat(resource.path("name").asText()).isEqualTo(k.get(2));
      assertThat(resource.path("namespaced").asBoolean()).isEqualTo(Boolean.parseBoolean(k.get(3)));
      assertThat(texts(resource.path("verbs")))
          .contains("create", "get", "list", "patch", "update", "delete", "watch");
      if (!k.get(4).isEmpty()) {
        assertThat(texts(resource.path("shortNames"))).contains(k.get(4));
      }
      if (apiVersion.contains("/")) {
        String group = apiVersion.substring(0, apiVersion.indexOf('/'));
        assertThat(groups.path("groups"))
            .as("/apis lists %s", group)
            .anySatisfy(
                g -> {
                  assertThat(g.path("name").asText()).isEqualTo(group);
                  assertThat(g.at("/preferredVersion/groupVersion").asText()).isEqualTo(apiVersion);
                });
      }
    }
  }

  @Test
  void theTokenSubresourceAndTheReviewsAreDiscoverableForCreateOnly() {
    JsonNode core = Discovery.answer("/api/v1", ResourceType.BUILT_IN);
    assertThat(core.path("resources"))
        .anySatisfy(
            r -> {
              assertThat(r.path("name").asText()).isEqualTo("serviceaccounts/token");
              assertThat(r.path("kind").asText()).isEqualTo("TokenRequest");
              assertThat(r.path("group").asText()).isEqualTo("authentication.k8s.io");
              assertThat(texts(r.path("verbs"))).containsExactly("create");
            });
    JsonNode groups = Discovery.answer("/apis", ResourceType.BUILT_IN);
    assertThat(groups.path("groups").findValuesAsText("name"))
        .contains("authentication.k8s.io", "authorization.k8s.io");
    JsonNode authz = Discovery.answer("/apis/authorization.k8s.io/v1", ResourceType.BUILT_IN);
    assertThat(authz.path("resources").findValuesAsText("name"))
        .containsExactlyInAnyOrder(
            "subjectaccessreviews",
            "localsubjectaccessreviews",
            "selfsubjectaccessreviews",
            "selfsubjectrulesreviews");
    JsonNode authn = Discovery.answer("/apis/authentication.k8s.io/v1", ResourceType.BUILT_IN);
    assertThat(authn.path("resources").findValuesAsText("name"))
        .containsExactlyInAnyOrder("tokenreviews", "selfsubjectreviews");
  }

  @Test
  void theOpenApiOfTheNewGroupsDeclaresPatchWithFieldValidation() {
    JsonNode index = Discovery.openApiIndex(ResourceType.BUILT_IN);
    assertThat(index.path("paths").has("apis/policy/v1")).isTrue();
    assertThat(index.path("paths").has("apis/networking.k8s.io/v1")).isTrue();

    JsonNode policy = Discovery.openApi("/openapi/v3/apis/policy/v1", ResourceType.BUILT_IN);
    JsonNode patch =
        policy
            .path("paths")
            .path("/apis/policy/v1/namespaces/{namespace}/poddisruptionbudgets/{name}")
            .path("patch");
    assertThat(texts(patch.path("parameters").findValues("name"))).contains("fieldValidation");
    assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asText())
        .isEqualTo("PodDisruptionBudget");
    assertThat(gvks(policy)).containsExactly("policy/v1/PodDisruptionBudget");
    JsonNode networking =
        Discovery.openApi("/openapi/v3/apis/networking.k8s.io/v1", ResourceType.BUILT_IN);
    assertThat(gvks(networking)).containsExactly("networking.k8s.io/v1/NetworkPolicy");
    assertThat(
            networking
                .path("paths")
                .has("/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies/{name}"))
        .isTrue();
  }

  /** group/version/kind of every schema of an OpenAPI document. */
  private static List<String> gvks(JsonNode openApi) {
    List<String> out = new ArrayList<>();
    for (JsonNode schema : openApi.at("/components/schemas")) {
      JsonNode gvk = schema.path("x-kubernetes-group-version-kind").get(0);
      out.add(
          gvk.path("group").asText()
              + "/"
              + gvk.path("version").asText()
              + "/"
              + gvk.path("kind").asText());
    }
    return out;
  }

  @Test
  void kubectlGetShowsABudgetsLimitsAndAPolicysPodSelector() throws Exception {
    ResourceType pdb = type("PodDisruptionBudget");
    JsonNode budget =
        JSON.readTree(
            """
            {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
             "metadata": {"name": "op", "namespace": "x"},
             "spec": {"minAvailable": 1, "selector": {"matchLabels": {"a": "b"}}}}
            """);
    JsonNode table = Tables.of(pdb, budget, Instant.now());
    assertThat(texts(table.path("columnDefinitions").findValues("name")))
        .containsExactly("Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age");
    JsonNode cells = table.at("/rows/0/cells");
    assertThat(cells.get(0).asText()).isEqualTo("op");
    assertThat(cells.get(1).asText()).isEqualTo("1");
    assertThat(cells.get(2).asText()).isEqualTo("N/A");
    assertThat(cells.get(3).asLong()).isZero();

    ResourceType netpol = type("NetworkPolicy");
    JsonNode policy =
        JSON.readTree(
            """
            {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": {"name": "op", "namespace": "x"},
             "spec": {"podSelector": {
               "matchLabels": {"b": "2", "a": "1"},
               "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]},
                                    {"key": "a0", "operator": "DoesNotExist"}]}}}
            """);
    JsonNode row = Tables.of(netpol, policy, Instant.now()).at("/rows/0/cells");
    assertThat(row.get(1).asText()).isEqualTo("a=1,!a0,b=2,c in (x,y)");
    assertThat(Tables.selector(JSON.readTree("{}"))).isEqualTo("<none>");
  }

  private static ResourceType type(String kind) {
    return ResourceType.BUILT_IN.stream().filter(t -> t.kind().equals(kind)).findFirst().get();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> texts(List<JsonNode> nodes) {
    return nodes.stream().map(JsonNode::asText).toList();
  }
}
