package dev.managedsecrets.operator.rbac;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One API request as the Kubernetes authorizer sees it: verb, API group, resource, subresource,
 * namespace and name, or a non-resource path. Derived from the HTTP method and path the way the API
 * server's request-info resolver does it.
 *
 * @param namespace null for a cluster-scoped request (or a list/watch across all namespaces)
 */
public record ApiRequest(
    String verb,
    String apiGroup,
    String resource,
    String subresource,
    String namespace,
    String name,
    String nonResourcePath) {

  /** Subresources of a Namespace object, which are not namespaced resources of that name. */
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  /** The attributes of an HTTP request, e.g. ("GET", "/api/v1/secrets?watch=true"). */
  public static ApiRequest of(String method, String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    Map<String, String> query = query(q < 0 ? "" : pathAndQuery.substring(q + 1));
    String[] parts =
        Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    String group;
    int rest;
    if (parts.length >= 2 && parts[0].equals("api")) {
      group = "";
      rest = 2;
    } else if (parts.length >= 3 && parts[0].equals("apis")) {
      group = parts[1];
      rest = 3;
    } else {
      return new ApiRequest(
          method.toLowerCase(java.util.Locale.ROOT), null, null, null, null, null, path);
    }
    String[] r = Arrays.copyOfRange(parts, rest, parts.length);
    if (r.length == 0) {
      return new ApiRequest("get", null, null, null, null, null, path); // discovery
    }
    String namespace = null;
    String resource;
    String name = null;
    String sub = null;
    if (r[0].equals("namespaces")
        && r.length >= 3
        && !(r.length == 3 && NAMESPACE_SUBRESOURCES.contains(r[2]))) {
      namespace = r[1];
      resource = r[2];
      name = r.length > 3 ? r[3] : null;
      sub = r.length > 4 ? String.join("/", Arrays.copyOfRange(r, 4, r.length)) : null;
    } else {
      resource = r[0];
      name = r.length > 1 ? r[1] : null;
      sub = r.length > 2 ? String.join("/", Arrays.copyOfRange(r, 2, r.length)) : null;
      if (resource.equals("namespaces") && name != null) {
        namespace = name; // a Namespace object is authorized in its own namespace too
      }
    }
    String verb =
        switch (method) {
          case "GET", "HEAD" ->
              "true".equals(query.get("watch")) ? "watch" : name == null ? "list" : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name == null ? "deletecollection" : "delete";
          default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    return new ApiRequest(verb, group, resource, sub, namespace, name, null);
  }

  /** A check the API server makes on the operator's behalf, not a request of its own. */
  public static ApiRequest implied(
      String verb, String apiGroup, String resource, String subresource, String namespace) {
    return new ApiRequest(verb, apiGroup, resource, subresource, namespace, null, null);
  }

  public boolean isResource() {
    return nonResourcePath == null;
  }

  /** resource or resource/subresource. */
  public String fullResource() {
    return subresource == null ? resource : resource + "/" + subresource;
  }

  @Override
  public String toString() {
    if (!isResource()) {
      return verb + " " + nonResourcePath;
    }
    return verb
        + " "
        + (apiGroup.isEmpty() ? "core" : apiGroup)
        + "/"
        + fullResource()
        + (name == null ? "" : " " + name)
        + (namespace == null ? " (cluster-wide)" : " in " + namespace);
  }

  private static Map<String, String> query(String q) {
    Map<String, String> out = new HashMap<>();
    for (String kv : q.split("&")) {
      if (kv.isEmpty()) {
        continue;
      }
      int eq = kv.indexOf('=');
      String k = eq < 0 ? kv : kv.substring(0, eq);
      String v = eq < 0 ? "" : kv.substring(eq + 1);
      out.put(k, URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }
}
