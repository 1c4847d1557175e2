package dev.managedsecrets.apiserver;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One API request as the Kubernetes authorizer sees it: verb, API group, resource, subresource,
 * namespace and name, or a non-resource path. Derived from the HTTP method and path the way the API
 * server's request-info resolver does it: a GET without a name is a list, or a watch with {@code
 * watch=true}, and names the object its field selector {@code metadata.name=...} chooses; a DELETE
 * without a name is a deletecollection; a Namespace object is in its own namespace.
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
    String path = ApiPath.pathOf(pathAndQuery);
    Map<String, String> query = ApiPath.query(pathAndQuery);
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
      return nonResource(method, path);
    }
    String[] r = Arrays.copyOfRange(parts, rest, parts.length);
    if (r.length == 0) {
      return nonResource(method, path); // discovery
    }
    String namespace = null;
    String resource;
    String name;
    String sub;
    if (r[0].equals("namespaces")
        && r.length >= 3
        && !(r.length == 3 && NAMESPACE_SUBRESOURCES.contains(r[2]))) {
      namespace = r[1];
      resource = r[2];
      name = r.length > 3 ? r[3] : null;
      // As the API server's request info: the one segment after the name is the subresource; what
      // follows it (a proxied path) is not part of what is authorized.
      sub = r.length > 4 ? r[4] : null;
    } else {
      resource = r[0];
      name = r.length > 1 ? r[1] : null;
      sub = r.length > 2 ? r[2] : null;
      if (resource.equals("namespaces") && name != null) {
        namespace = name; // a Namespace object is authorized in its own namespace too
      }
    }
    String verb =
        switch (method) {
          case "GET", "HEAD" -> name != null ? "get" : watch(query) ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name == null ? "deletecollection" : "delete";
          default -> method.toLowerCase(Locale.ROOT);
        };
    if (name == null && (verb.equals("list") || verb.equals("watch"))) {
      name = selectedName(query.get("fieldSelector"));
    }
    return new ApiRequest(verb, group, resource, sub, namespace, name, null);
  }

  /** A resource request: verb on (group, resource, subresource) in a namespace, no name. */
  public static ApiRequest implied(
      String verb, String apiGroup, String resource, String subresource, String namespace) {
    return new ApiRequest(verb, apiGroup, resource, subresource, namespace, null, null);
  }

  /** A request for a path that names no resource (discovery, /version, /healthz). */
  public static ApiRequest nonResource(String method, String path) {
    return new ApiRequest(method.toLowerCase(Locale.ROOT), null, null, null, null, null, path);
  }

  private static boolean watch(Map<String, String> query) {
    String w = query.get("watch");
    return "true".equals(w) || "1".equals(w);
  }

  /** The name an exact {@code metadata.name} term of a field selector chooses, or null. */
  private static String selectedName(String fieldSelector) {
    if (fieldSelector == null) {
      return null;
    }
    for (String term : fieldSelector.split(",")) {
      String t = term.trim();
      String value =
          t.startsWith("metadata.name==")
              ? t.substring(15)
              : t.startsWith("metadata.name=") ? t.substring(14) : null;
      if (value != null
          && !value.isEmpty()
          && !value.equals(".")
          && !value.equals("..")
          && !value.contains("/")
          && !value.contains("%")) {
        return value;
      }
    }
    return null;
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
}
