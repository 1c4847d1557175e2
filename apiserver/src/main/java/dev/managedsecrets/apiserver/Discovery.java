package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The documents kubectl reads before it sends anything: /version, /api, /apis and the resource list
 * of each group version (legacy discovery; kubectl falls back to it when the answer is plain JSON),
 * and OpenAPI v3 (/openapi/v3 and one document per group version) with the CRDs' schemas, so that
 * {@code kubectl apply} leaves validation to the server and {@code kubectl explain} works; OpenAPI
 * v2 is an empty document.
 */
final class Discovery {

  static final String KUBERNETES_VERSION = "v1.32.0";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private Discovery() {}

  static JsonNode version() {
    ObjectNode v = JSON.createObjectNode();
    v.put("major", "1").put("minor", "32").put("gitVersion", KUBERNETES_VERSION);
    v.put("gitCommit", "embedded").put("gitTreeState", "clean");
    v.put("buildDate", "2025-01-01T00:00:00Z").put("goVersion", "go1.23").put("compiler", "gc");
    v.put("platform", "linux/amd64");
    return v;
  }

  /** The answer to GET of {@code path}, or null when it is no discovery path. */
  static JsonNode answer(String path, List<ResourceType> types) {
    if (path.equals("/api")) {
      ObjectNode v = JSON.createObjectNode().put("kind", "APIVersions");
      v.putArray("versions").add("v1");
      v.putArray("serverAddressByClientCIDRs")
          .addObject()
          .put("clientCIDR", "0.0.0.0/0")
          .put("serverAddress", "127.0.0.1");
      return v;
    }
    if (path.equals("/apis")) {
      return groups(types);
    }
    String gv = path.startsWith("/api/") ? path.substring(5) : null;
    if (path.startsWith("/apis/") && path.chars().filter(c -> c == '/').count() == 3) {
      gv = path.substring(6);
    }
    if (gv == null) {
      return null;
    }
    String groupVersion = gv;
    List<ResourceType> inGroup =
        types.stream().filter(t -> t.groupVersion().equals(groupVersion)).toList();
    List<AccessReviews.Served> served =
        AccessReviews.SERVED.stream().filter(s -> s.groupVersion().equals(groupVersion)).toList();
    if (inGroup.isEmpty() && served.isEmpty()) {
      return null;
    }
    ObjectNode list = resources(groupVersion, inGroup);
    ArrayNode resources = (ArrayNode) list.get("resources");
    for (AccessReviews.Served s : served) {
      ObjectNode r =
          resources
              .addObject()
              .put("name", s.name())
              .put("singularName", s.name().contains("/") ? "" : s.kind().toLowerCase())
              .put("namespaced", s.namespaced());
      if (!s.kindGroupVersion().equals(groupVersion)) {
        String[] kindGv = s.kindGroupVersion().split("/");
        r.put("group", kindGv[0]).put("version", kindGv[1]);
      }
      r.put("kind", s.kind());
      r.putArray("verbs").add("create");
    }
    return list;
  }

  private static JsonNode groups(List<ResourceType> types) {
    Map<String, Set<String>> versions = new LinkedHashMap<>();
    for (ResourceType t : types) {
      if (!t.group().isEmpty()) {
        versions.computeIfAbsent(t.group(), g -> new LinkedHashSet<>()).add(t.version());
      }
    }
    for (AccessReviews.Served s : AccessReviews.SERVED) {
      if (s.groupVersion().contains("/")) {
        String[] gv = s.groupVersion().split("/");
        versions.computeIfAbsent(gv[0], g -> new LinkedHashSet<>()).add(gv[1]);
      }
    }
    ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    versions.forEach(
        (group, vs) -> {
          ObjectNode g = groups.addObject().put("name", group);
          ArrayNode arr = g.putArray("versions");
          for (String v : vs) {
            arr.addObject().put("groupVersion", group + "/" + v).put("version", v);
          }
          String preferred = vs.iterator().next();
          g.putObject("preferredVersion")
              .put("groupVersion", group + "/" + preferred)
              .put("version", preferred);
        });
    return list;
  }

  private static ObjectNode resources(String groupVersion, List<ResourceType> types) {
    ObjectNode list =
        JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1");
    list.put("groupVersion", groupVersion);
    ArrayNode resources = list.putArray("resources");
    for (ResourceType t : types) {
      ObjectNode r =
          resources
              .addObject()
              .put("name", t.plural())
              .put("singularName", t.singular())
              .put("namespaced", t.namespaced())
              .put("kind", t.kind());
      VERBS.forEach(r.putArray("verbs")::add);
      if (!t.shortNames().isEmpty()) {
        t.shortNames().forEach(r.putArray("shortNames")::add);
      }
      if (!t.categories().isEmpty()) {
        t.categories().forEach(r.putArray("categories")::add);
      }
      if (t.hasStatusSubresource()) {
        ObjectNode s =
            resources
                .addObject()
                .put("name", t.plural() + "/status")
                .put("singularName", "")
                .put("namespaced", t.namespaced())
                .put("kind", t.kind());
        List.of("get", "patch", "update").forEach(s.putArray("verbs")::add);
      }
    }
    return list;
  }

  /**
   * GET /openapi/v2: an empty document (a protobuf message without fields, the encoding client-go
   * asks for). kubectl reads v2 only to validate a kind for which OpenAPI v3 declares no
   * server-side field validation, that is a kind no API serves: finding no schema, it skips
   * validation and then reports {@code no matches for kind}, as with a cluster (a 404 here made it
   * fail with "error validating data" instead).
   */
  static MockResponse openApiV2() {
    return new MockResponse()
        .setResponseCode(200)
        .setHeader("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        .setBody("");
  }

  /** GET /openapi/v3: one entry per group version. */
  static JsonNode openApiIndex(List<ResourceType> types) {
    ObjectNode index = JSON.createObjectNode();
    ObjectNode paths = index.putObject("paths");
    for (ResourceType t : types) {
      String key = t.group().isEmpty() ? "api/v1" : "apis/" + t.groupVersion();
      paths
          .putObject(key)
          .put(
              "serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash(types, t.groupVersion()));
    }
    return index;
  }

  private static String hash(List<ResourceType> types, String groupVersion) {
    StringBuilder b = new StringBuilder();
    for (ResourceType t : types) {
      if (t.groupVersion().equals(groupVersion)) {
        b.append(t.plural()).append(t.crdVersion());
      }
    }
    return String.format("%08X", b.toString().hashCode());
  }

  /**
   * GET /openapi/v3/api/v1 or /openapi/v3/apis/GROUP/VERSION: a PATCH operation per kind that
   * declares the fieldValidation parameter (so kubectl sends fieldValidation=Strict and lets this
   * server refuse unknown fields), and a schema per kind.
   */
  static JsonNode openApi(String path, List<ResourceType> types) {
    String gv = path.startsWith("/openapi/v3/api/") ? path.substring(16) : path.substring(17);
    List<ResourceType> inGroup = types.stream().filter(t -> t.groupVersion().equals(gv)).toList();
    if (inGroup.isEmpty()) {
      return null;
    }
    ObjectNode doc = JSON.createObjectNode().put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", KUBERNETES_VERSION);
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    for (ResourceType t : inGroup) {
      String prefix = t.group().isEmpty() ? "/api/v1" : "/apis/" + t.groupVersion();
      String item =
          prefix + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}";
      ObjectNode patch = paths.putObject(item).putObject("patch");
      patch.put("operationId", "patch" + t.kind());
      patch.set("x-kubernetes-group-version-kind", gvkObject(t));
      patch.put("x-kubernetes-action", "patch");
      ArrayNode params = patch.putArray("parameters");
      for (String p : List.of("dryRun", "fieldManager", "fieldValidation", "force")) {
        params
            .addObject()
            .put("name", p)
            .put("in", "query")
            .putObject("schema")
            .put("type", "string");
      }
      ObjectNode content = patch.putObject("requestBody").putObject("content");
      // Strategic merge patch is not declared: kubectl then computes it from its compiled-in
      // types (the schemas here are too thin for it), and uses a merge patch for custom kinds.
      List<String> patchTypes =
          List.of(
              "application/json-patch+json",
              "application/merge-patch+json",
              "application/apply-patch+yaml");
      patchTypes.forEach(ct -> content.putObject(ct).putObject("schema").put("type", "object"));
      patch.putObject("responses").putObject("200").put("description", "OK");
      schemas.set(schemaName(t), schemaOf(t));
    }
    return doc;
  }

  private static String schemaName(ResourceType t) {
    String group = t.group().isEmpty() ? "io.k8s.api.core" : reverse(t.group());
    return group + "." + t.version() + "." + t.kind();
  }

  private static String reverse(String group) {
    String[] parts = group.split("\\.");
    StringBuilder b = new StringBuilder();
    for (int i = parts.length - 1; i >= 0; i--) {
      b.append(parts[i]).append(i > 0 ? "." : "");
    }
    return b.toString();
  }

  private static ArrayNode gvk(ResourceType t) {
    ArrayNode a = JSON.createArrayNode();
    a.addObject().put("group", t.group()).put("version", t.version()).put("kind", t.kind());
    return a;
  }

  private static ObjectNode gvkObject(ResourceType t) {
    return JSON.createObjectNode()
        .put("group", t.group())
        .put("version", t.version())
        .put("kind", t.kind());
  }

  /** The kind's schema: the CRD's openAPIV3Schema with apiVersion, kind and metadata. */
  private static JsonNode schemaOf(ResourceType t) {
    ObjectNode schema =
        t.isCustom() && t.schema().isObject()
            ? ((ObjectNode) t.schema()).deepCopy()
            : JSON.createObjectNode().put("type", "object");
    schema.put("type", "object");
    if (!schema.has("description")) {
      schema.put("description", t.kind() + " (" + t.groupVersion() + ")");
    }
    ObjectNode props = schema.has("properties") ? (ObjectNode) schema.get("properties") : null;
    if (props == null) {
      props = schema.putObject("properties");
      if (!t.isCustom()) {
        schema.put("x-kubernetes-preserve-unknown-fields", true);
      }
    }
    props
        .putObject("apiVersion")
        .put("type", "string")
        .put("description", "APIVersion defines the versioned schema of this object.");
    props
        .putObject("kind")
        .put("type", "string")
        .put("description", "Kind is a string value representing the REST resource.");
    props
        .putObject("metadata")
        .put("type", "object")
        .put("description", "Standard object's metadata.")
        .put("x-kubernetes-preserve-unknown-fields", true);
    schema.set("x-kubernetes-group-version-kind", gvk(t));
    return schema;
  }
}
