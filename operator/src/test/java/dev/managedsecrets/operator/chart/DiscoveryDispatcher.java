package dev.managedsecrets.operator.chart;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.ServerAddressByClientCIDR;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's CRUD mock plus the legacy discovery documents (/api, /apis, /api/v1, /apis/G/V) that
 * kubectl reads to map the chart's kinds to resources: the built-in kinds the chart uses, its CRD's
 * kind, and the Prometheus Operator's ServiceMonitor (as in a cluster that runs it).
 */
final class DiscoveryDispatcher extends KubernetesCrudDispatcher {

  /** A kind the API server serves. */
  record Kind(String group, String version, String kind, String plural, boolean namespaced) {
    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }

    /** The path of an object of this kind. */
    String path(String namespace, String name) {
      String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
      return base + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural + "/" + name;
    }
  }

  static final List<Kind> KINDS =
      List.of(
          new Kind("", "v1", "ConfigMap", "configmaps", true),
          new Kind("", "v1", "Namespace", "namespaces", false),
          new Kind("", "v1", "Secret", "secrets", true),
          new Kind("", "v1", "Service", "services", true),
          new Kind("", "v1", "ServiceAccount", "serviceaccounts", true),
          new Kind("apps", "v1", "Deployment", "deployments", true),
          new Kind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
          new Kind(
              "rbac.authorization.k8s.io",
              "v1",
              "ClusterRoleBinding",
              "clusterrolebindings",
              false),
          new Kind("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
          new Kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true),
          new Kind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true),
          new Kind("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true),
          new Kind(
              "apiextensions.k8s.io",
              "v1",
              "CustomResourceDefinition",
              "customresourcedefinitions",
              false),
          new Kind("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", true),
          new Kind("managedsecrets.dev", "v1alpha1", "ManagedSecret", "managedsecrets", true));

  static Kind kind(String apiVersion, String kind) {
    return KINDS.stream()
        .filter(k -> k.groupVersion().equals(apiVersion) && k.kind().equals(kind))
        .findFirst()
        .orElseThrow(() -> new AssertionError("No discovery for " + apiVersion + " " + kind));
  }

  @Override
  public MockResponse handleGet(String pathAndQuery) {
    String path = pathAndQuery.split("\\?", 2)[0];
    String body = discovery(path);
    if (body == null) {
      return super.handleGet(pathAndQuery);
    }
    return new MockResponse()
        .setResponseCode(200)
        .addHeader("Content-Type", "application/json")
        .setBody(body);
  }

  private static String discovery(String path) {
    if (path.equals("/api")) {
      return Serialization.asJson(
          new APIVersionsBuilder()
              .withVersions("v1")
              .withServerAddressByClientCIDRs(new ServerAddressByClientCIDR("0.0.0.0/0", ""))
              .build());
    }
    Map<String, List<Kind>> byGroupVersion = new LinkedHashMap<>();
    for (Kind k : KINDS) {
      byGroupVersion.computeIfAbsent(k.groupVersion(), gv -> new java.util.ArrayList<>()).add(k);
    }
    if (path.equals("/apis")) {
      APIGroupListBuilder groups = new APIGroupListBuilder();
      byGroupVersion.forEach(
          (gv, kinds) -> {
            Kind k = kinds.get(0);
            if (k.group().isEmpty()) {
              return;
            }
            GroupVersionForDiscovery version = new GroupVersionForDiscovery(gv, k.version());
            groups.addToGroups(
                new APIGroupBuilder()
                    .withName(k.group())
                    .withVersions(version)
                    .withPreferredVersion(version)
                    .build());
          });
      return Serialization.asJson(groups.build());
    }
    String gv =
        path.startsWith("/api/")
            ? path.substring(5)
            : path.startsWith("/apis/") ? path.substring(6) : "";
    List<Kind> kinds = byGroupVersion.get(gv);
    if (kinds == null) {
      return null;
    }
    APIResourceListBuilder list = new APIResourceListBuilder().withGroupVersion(gv);
    for (Kind k : kinds) {
      list.addToResources(
          new APIResourceBuilder()
              .withName(k.plural())
              .withSingularName(k.kind().toLowerCase(java.util.Locale.ROOT))
              .withKind(k.kind())
              .withNamespaced(k.namespaced())
              .withVerbs("create", "delete", "get", "list", "patch", "update", "watch")
              .build());
    }
    return Serialization.asJson(list.build());
  }
}
