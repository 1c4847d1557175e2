package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The RBAC of the objects stored ({@link RbacAuthorizer}), made again only after a Role,
 * ClusterRole or binding changed: requests authorized by RBAC read it on every request.
 */
final class StoredRbac {

  static final String PREFIX = "/apis/rbac.authorization.k8s.io/";
  private static final Map<String, String> KINDS =
      Map.of(
          "clusterroles", "ClusterRole",
          "roles", "Role",
          "clusterrolebindings", "ClusterRoleBinding",
          "rolebindings", "RoleBinding");

  private record Known(long changes, RbacAuthorizer authorizer) {}

  private final Function<String, JsonNode> list;
  private final AtomicLong changes = new AtomicLong();
  private volatile Known known;

  /**
   * @param list the list stored at a path, e.g. /apis/rbac.authorization.k8s.io/v1/roles (every
   *     namespace's)
   */
  StoredRbac(Function<String, JsonNode> list) {
    this.list = list;
  }

  /** Called after the store changed an object at {@code path}. */
  void changed(String path) {
    if (path.startsWith(PREFIX)) {
      changes.incrementAndGet();
    }
  }

  RbacAuthorizer current() {
    long now = changes.get();
    Known k = known;
    if (k != null && k.changes() == now) {
      return k.authorizer();
    }
    List<JsonNode> objects = new ArrayList<>();
    KINDS.forEach(
        (plural, kind) -> {
          for (JsonNode item : list.apply(PREFIX + "v1/" + plural).path("items")) {
            if (item instanceof ObjectNode o && !o.hasNonNull("kind")) {
              o.put("kind", kind);
            }
            objects.add(item);
          }
        });
    RbacAuthorizer authorizer = RbacAuthorizer.fromJson(objects);
    known = new Known(now, authorizer);
    return authorizer;
  }
}
