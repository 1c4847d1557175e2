package dev.managedsecrets.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request URI split the way the API server reads it: group, version, namespace, resource, name,
 * subresource and the query. {@link #parse} answers null for URIs that name no resource (discovery,
 * OpenAPI, /version).
 */
record ApiPath(
    String group,
    String version,
    String namespace,
    String resource,
    String name,
    String subresource,
    Map<String, String> query) {

  private static final Pattern RESOURCE =
      Pattern.compile(
          "^/(?:api|apis/([^/]+))/([^/]+)(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$");

  static ApiPath parse(String uri) {
    Matcher m = RESOURCE.matcher(pathOf(uri));
    if (!m.matches()) {
      return null;
    }
    return new ApiPath(
        m.group(1) == null ? "" : m.group(1),
        m.group(2),
        m.group(3),
        m.group(4),
        m.group(5),
        m.group(6),
        query(uri));
  }

  static String pathOf(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  static Map<String, String> query(String uri) {
    Map<String, String> out = new LinkedHashMap<>();
    int q = uri.indexOf('?');
    if (q < 0) {
      return out;
    }
    for (String pair : uri.substring(q + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(decode(key), decode(value));
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  boolean isStatus() {
    return "status".equals(subresource);
  }

  /** The URI without its query and subresource, naming the collection or the object. */
  String objectPath() {
    StringBuilder b = new StringBuilder(group.isEmpty() ? "/api" : "/apis/" + group);
    b.append('/').append(version);
    if (namespace != null) {
      b.append("/namespaces/").append(namespace);
    }
    b.append('/').append(resource);
    if (name != null) {
      b.append('/').append(name);
    }
    return b.toString();
  }

  /** The URI without its query: what the CRUD mock is given. */
  String plainPath() {
    return subresource == null ? objectPath() : objectPath() + "/" + subresource;
  }

  ApiPath withName(String newName) {
    return new ApiPath(group, version, namespace, resource, newName, subresource, query);
  }

  ApiPath withoutSubresource() {
    return new ApiPath(group, version, namespace, resource, name, null, query);
  }
}
