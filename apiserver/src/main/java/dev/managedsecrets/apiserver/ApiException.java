package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** A refusal, answered as a meta/v1 Status the way the API server words it. */
final class ApiException extends RuntimeException {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One field error of an Invalid answer: {@code field: message}. */
  record Cause(String reason, String field, String message) {}

  final int code;
  final String reason;
  private final ObjectNode details;

  ApiException(int code, String reason, String message) {
    this(code, reason, message, null);
  }

  private ApiException(int code, String reason, String message, ObjectNode details) {
    super(message, null, false, false);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  static ApiException notFound(ApiPath path) {
    String what = path.group().isEmpty() ? path.resource() : path.resource() + "." + path.group();
    ObjectNode d = JSON.createObjectNode().put("name", path.name());
    if (!path.group().isEmpty()) {
      d.put("group", path.group());
    }
    d.put("kind", path.resource());
    return new ApiException(404, "NotFound", what + " \"" + path.name() + "\" not found", d);
  }

  static ApiException conflict(ResourceType type, String name, String message) {
    return new ApiException(409, "Conflict", message, details(type, name));
  }

  /**
   * 409 Conflict for a write from an older resourceVersion, in the API server's words (client-go
   * retries on it: {@code errors.IsConflict}).
   */
  static ApiException modified(ResourceType type, String name) {
    return conflict(
        type,
        name,
        cannotFulfil(type, name)
            + "the object has been modified; please apply your changes to the latest version"
            + " and try again");
  }

  /**
   * The start of a Conflict's message: {@code Operation cannot be fulfilled on plural "name": }.
   */
  static String cannotFulfil(ResourceType type, String name) {
    return "Operation cannot be fulfilled on " + qualified(type) + " \"" + name + "\": ";
  }

  /**
   * 409 AlreadyExists for a create of a name that is taken, as the API server answers it (client-go
   * tells it by the reason: {@code errors.IsAlreadyExists}, which Helm's {@code --create-namespace}
   * relies on).
   */
  static ApiException alreadyExists(ResourceType type, String name) {
    return new ApiException(
        409,
        "AlreadyExists",
        qualified(type) + " \"" + name + "\" already exists",
        details(type, name));
  }

  /** {@code plural} for the core group, {@code plural.group} for others. */
  private static String qualified(ResourceType type) {
    return type.group().isEmpty() ? type.plural() : type.plural() + "." + type.group();
  }

  /**
   * A Status's details: name, group (absent for the core group, as omitempty leaves it) and kind.
   */
  private static ObjectNode details(ResourceType type, String name) {
    ObjectNode d = JSON.createObjectNode().put("name", name);
    if (!type.group().isEmpty()) {
      d.put("group", type.group());
    }
    return d.put("kind", type.plural());
  }

  /**
   * 403 Forbidden for a request the authorizer did not allow, in the API server's words: {@code
   * secrets "x" is forbidden: User "u" cannot get resource "secrets" in API group "" in the
   * namespace "ns"}, then {@code : reason} when the authorizer gave one.
   */
  static ApiException forbidden(UserInfo user, ApiRequest r, String reason) {
    String message;
    if (!r.isResource()) {
      message =
          "User "
              + quote(user.name())
              + " cannot "
              + r.verb()
              + " path "
              + quote(r.nonResourcePath());
    } else {
      message =
          "User "
              + quote(user.name())
              + " cannot "
              + r.verb()
              + " resource "
              + quote(r.fullResource())
              + " in API group "
              + quote(r.apiGroup())
              + (r.namespace() == null
                  ? " at the cluster scope"
                  : " in the namespace " + quote(r.namespace()));
    }
    if (reason != null && !reason.isEmpty()) {
      message += ": " + reason;
    }
    ObjectNode d = JSON.createObjectNode();
    if (!r.isResource()) {
      return new ApiException(403, "Forbidden", "forbidden: " + message, d);
    }
    String what = r.apiGroup().isEmpty() ? r.resource() : r.resource() + "." + r.apiGroup();
    if (r.name() != null) {
      d.put("name", r.name());
    }
    if (!r.apiGroup().isEmpty()) {
      d.put("group", r.apiGroup());
    }
    d.put("kind", r.resource());
    return new ApiException(
        403,
        "Forbidden",
        (r.name() == null ? what : what + " " + quote(r.name())) + " is forbidden: " + message,
        d);
  }

  /** A string as Go's %q prints it. */
  static String quote(String s) {
    return "\"" + (s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"")) + "\"";
  }

  /** 422 Invalid: {@code The Kind "name" is invalid: field: message} when kubectl prints it. */
  static ApiException invalid(ResourceType type, String name, List<Cause> causes) {
    ObjectNode d = JSON.createObjectNode().put("name", name);
    d.put("group", type.group()).put("kind", type.kind());
    ArrayNode arr = d.putArray("causes");
    StringBuilder all = new StringBuilder();
    for (Cause c : causes) {
      arr.addObject().put("reason", c.reason()).put("message", c.message()).put("field", c.field());
      all.append(all.length() == 0 ? "" : ", ").append(c.field()).append(": ").append(c.message());
    }
    String qualified = type.group().isEmpty() ? type.kind() : type.kind() + "." + type.group();
    String list = causes.size() == 1 ? all.toString() : "[" + all + "]";
    return new ApiException(422, "Invalid", qualified + " \"" + name + "\" is invalid: " + list, d);
  }

  String toStatus() {
    ObjectNode s = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure").put("message", getMessage()).put("reason", reason);
    if (details != null) {
      s.set("details", details);
    }
    s.put("code", code);
    return s.toString();
  }
}
