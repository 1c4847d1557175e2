package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A kind the embedded API server serves: a built-in one from a fixed table, or one version of a
 * stored CustomResourceDefinition (then {@code crdVersion} holds that version's schema, printer
 * columns and subresources).
 */
record ResourceType(
    String group,
    String version,
    String plural,
    String singular,
    String kind,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    JsonNode crdVersion) {

  /**
   * The kinds the operator, its examples, its Helm chart (for any values) and kubectl use, as a
   * cluster serves them. Kinds of other projects' CRDs (the Prometheus Operator's ServiceMonitor)
   * are served only once their CRD is applied, as on a cluster.
   */
  static final List<ResourceType> BUILT_IN =
      List.of(
          core("namespaces", "Namespace", false, "ns"),
          core("secrets", "Secret", true),
          core("configmaps", "ConfigMap", true, "cm"),
          core("events", "Event", true, "ev"),
          core("serviceaccounts", "ServiceAccount", true, "sa"),
          core("pods", "Pod", true, "po"),
          core("services", "Service", true, "svc"),
          of("apps", "deployments", "Deployment", true, "deploy"),
          of("apps", "statefulsets", "StatefulSet", true, "sts"),
          of("apps", "daemonsets", "DaemonSet", true, "ds"),
          of("policy", "poddisruptionbudgets", "PodDisruptionBudget", true, "pdb"),
          of("networking.k8s.io", "networkpolicies", "NetworkPolicy", true, "netpol"),
          of("coordination.k8s.io", "leases", "Lease", true),
          of("events.k8s.io", "events", "Event", true, "ev"),
          of("rbac.authorization.k8s.io", "roles", "Role", true),
          of("rbac.authorization.k8s.io", "rolebindings", "RoleBinding", true),
          of("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", false),
          of("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", false),
          of(
              "apiextensions.k8s.io",
              "customresourcedefinitions",
              "CustomResourceDefinition",
              false,
              "crd",
              "crds"));

  private static ResourceType core(String plural, String kind, boolean namespaced, String... sn) {
    return new ResourceType(
        "", "v1", plural, kind.toLowerCase(), kind, namespaced, List.of(sn), List.of(), null);
  }

  private static ResourceType of(
      String group, String plural, String kind, boolean namespaced, String... sn) {
    return new ResourceType(
        group, "v1", plural, kind.toLowerCase(), kind, namespaced, List.of(sn), List.of(), null);
  }

  /** The served versions of a CustomResourceDefinition, as kinds. */
  static List<ResourceType> fromCrd(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    List<ResourceType> out = new ArrayList<>();
    for (JsonNode v : spec.path("versions")) {
      if (!v.path("served").asBoolean(true)) {
        continue;
      }
      out.add(
          new ResourceType(
              spec.path("group").asText(),
              v.path("name").asText(),
              names.path("plural").asText(),
              names.path("singular").asText(names.path("kind").asText().toLowerCase()),
              names.path("kind").asText(),
              "Namespaced".equals(spec.path("scope").asText()),
              texts(names.path("shortNames")),
              texts(names.path("categories")),
              v));
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  boolean isCustom() {
    return crdVersion != null;
  }

  boolean hasStatusSubresource() {
    return isCustom() ? crdVersion.path("subresources").has("status") : isCrd();
  }

  /** CustomResourceDefinitions, whose status the server itself keeps. */
  boolean isCrd() {
    return group.equals("apiextensions.k8s.io") && kind.equals("CustomResourceDefinition");
  }

  /** The openAPIV3Schema of a custom kind; null for built-in kinds. */
  JsonNode schema() {
    return isCustom() ? crdVersion.path("schema").path("openAPIV3Schema") : null;
  }
}
