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

  private ApiException(int code, String reason, String message, ObjectNode details) {
    super(message, null, false, false);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** Empty details, as {@code NewGenericServerResponse} leaves them: {@code "details": {}}. */
  private static ObjectNode noDetails() {
    return JSON.createObjectNode();
  }

  /** 400 BadRequest, no details ({@code errors.NewBadRequest}). */
  static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message, null);
  }

  /** 401 Unauthorized, as the authentication filter answers a request it cannot authenticate. */
  static ApiException unauthorized() {
    return new ApiException(401, "Unauthorized", "Unauthorized", null);
  }

  /** 403 Forbidden with a message of this server's own (a Host it does not answer). */
  static ApiException forbidden(String message) {
    return new ApiException(403, "Forbidden", message, noDetails());
  }

  /** 404 NotFound for the object a path names ({@code errors.NewNotFound}). */
  static ApiException notFound(ApiPath path) {
    return notFound(path.group(), path.resource(), path.name());
  }

  /** 404 NotFound for an object of this type: {@code secrets "x" not found}. */
  static ApiException notFound(ResourceType type, String name) {
    return notFound(type.group(), type.plural(), name);
  }

  /** 404 NotFound for an object of a resource of a group ("" for the core group). */
  static ApiException notFound(String group, String resource, String name) {
    return new ApiException(
        404,
        "NotFound",
        qualified(group, resource) + " " + quote(name) + " not found",
        details(group, resource, name));
  }

  /**
   * 404 NotFound for a path that names nothing the server serves, as the API server's not-found
   * handler answers it: {@code the server could not find the requested resource}, empty details.
   */
  static ApiException notFoundGeneric() {
    return new ApiException(
        404, "NotFound", "the server could not find the requested resource", noDetails());
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
        qualified(type.group(), type.plural()) + " " + quote(name) + " already exists",
        details(type.group(), type.plural(), name));
  }

  /**
   * 409 Conflict ({@code errors.NewConflict}): {@code Operation cannot be fulfilled on
   * <resource[.group]> "name": <cause>}, details {name, group, kind: resource}.
   */
  static ApiException conflict(String group, String resource, String name, String cause) {
    return new ApiException(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + qualified(group, resource)
            + " "
            + quote(name)
            + ": "
            + cause,
        details(group, resource, name));
  }

  /**
   * 409 Conflict for a write from an older resourceVersion, in the API server's words (client-go
   * retries on it: {@code errors.IsConflict}).
   */
  static ApiException modified(ResourceType type, String name) {
    return conflict(
        type.group(),
        type.plural(),
        name,
        "the object has been modified; please apply your changes to the latest version and try"
            + " again");
  }

  /**
   * 409 Conflict of a server-side apply with other managers' fields ({@code
   * errors.NewApplyConflict}): one FieldManagerConflict cause a field, details without name or
   * kind.
   */
  static ApiException applyConflict(String message, List<Cause> causes) {
    ObjectNode d = noDetails();
    putCauses(d, causes);
    return new ApiException(409, "Conflict", message, d);
  }

  /** 405 MethodNotAllowed, as the API server answers a method a path does not serve. */
  static ApiException methodNotAllowed() {
    return new ApiException(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
        noDetails());
  }

  /** 410 Expired ({@code errors.NewResourceExpired}): history this server no longer keeps. */
  static ApiException expired(String message) {
    return new ApiException(410, "Expired", message, null);
  }

  /** 410 Expired for a watch from a resourceVersion older than the oldest one kept. */
  static ApiException tooOldResourceVersion(String asked, long oldest) {
    return expired("too old resource version: " + asked + " (" + oldest + ")");
  }

  /** 415 UnsupportedMediaType: a body in a format not read here; no details. */
  static ApiException unsupportedMediaType(String message) {
    return new ApiException(415, "UnsupportedMediaType", message, null);
  }

  /**
   * 429 TooManyRequests with {@code details.retryAfterSeconds} ({@code errors.NewTooManyRequests}),
   * as API Priority and Fairness answers a client whose priority level is full.
   */
  static ApiException tooManyRequests(int retryAfterSeconds) {
    ObjectNode d = noDetails().put("retryAfterSeconds", retryAfterSeconds);
    return new ApiException(
        429, "TooManyRequests", "Too many requests, please try again later.", d);
  }

  /**
   * 500 InternalError ({@code errors.NewInternalError}): {@code Internal error occurred: <what>},
   * the cause's message in details.causes.
   */
  static ApiException internalError(String what) {
    ObjectNode d = noDetails();
    d.putArray("causes").addObject().put("message", what);
    return new ApiException(500, "InternalError", "Internal error occurred: " + what, d);
  }

  /** 503 ServiceUnavailable ({@code errors.NewServiceUnavailable}), no details. */
  static ApiException serviceUnavailable(String message) {
    return new ApiException(503, "ServiceUnavailable", message, null);
  }

  /**
   * An answer with this code and message and the reason that goes with the code, as client-go's
   * {@code NewGenericServerResponse} maps it (and 410 Expired): for the faults a test injects, and
   * for an error of the fabric8 mock that got through.
   */
  static ApiException ofCode(int code, String message) {
    return new ApiException(code, reasonOf(code), message, noDetails());
  }

  /** The reason of a code, as {@code NewGenericServerResponse} gives it. */
  static String reasonOf(int code) {
    return switch (code) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 406 -> "NotAcceptable";
      case 409 -> "Conflict";
      case 410 -> "Expired";
      case 413 -> "RequestEntityTooLarge";
      case 415 -> "UnsupportedMediaType";
      case 422 -> "Invalid";
      case 429 -> "TooManyRequests";
      case 503 -> "ServiceUnavailable";
      case 504 -> "Timeout";
      default -> code >= 500 ? "InternalError" : "Unknown";
    };
  }

  /** {@code plural} for the core group, {@code plural.group} for others. */
  private static String qualified(String group, String name) {
    return group.isEmpty() ? name : name + "." + group;
  }

  /**
   * A Status's details: name, group and kind, each left out when empty (as omitempty does: the core
   * group has none).
   */
  private static ObjectNode details(String group, String kind, String name) {
    ObjectNode d = noDetails();
    if (name != null && !name.isEmpty()) {
      d.put("name", name);
    }
    if (!group.isEmpty()) {
      d.put("group", group);
    }
    return d.put("kind", kind);
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
    ObjectNode d = noDetails();
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
    return invalid(type.group(), type.kind(), name, causes);
  }

  /**
   * 422 Invalid ({@code errors.NewInvalid}) for a kind of any group (PatchOptions.meta.k8s.io for
   * an apply without fieldManager): details {name, group, kind: Kind, causes}.
   */
  static ApiException invalid(String group, String kind, String name, List<Cause> causes) {
    ObjectNode d = details(group, kind, name);
    putCauses(d, causes);
    StringBuilder all = new StringBuilder();
    for (Cause c : causes) {
      all.append(all.length() == 0 ? "" : ", ").append(c.field()).append(": ").append(c.message());
    }
    String list = causes.size() == 1 ? all.toString() : "[" + all + "]";
    return new ApiException(
        422, "Invalid", qualified(group, kind) + " " + quote(name) + " is invalid: " + list, d);
  }

  /** 422 Invalid for an object created with neither metadata.name nor metadata.generateName. */
  static ApiException nameRequired(ResourceType type) {
    return invalid(
        type,
        "",
        List.of(
            new Cause(
                "FieldValueRequired",
                "metadata.name",
                "Required value: name or generateName is required")));
  }

  /** 422 Invalid PatchOptions for a server-side apply without a fieldManager parameter. */
  static ApiException fieldManagerRequired() {
    return invalid(
        "meta.k8s.io",
        "PatchOptions",
        "",
        List.of(
            new Cause(
                "FieldValueRequired",
                "fieldManager",
                "Required value: is required for apply patch")));
  }

  private static void putCauses(ObjectNode details, List<Cause> causes) {
    ArrayNode arr = details.putArray("causes");
    for (Cause c : causes) {
      arr.addObject().put("reason", c.reason()).put("message", c.message()).put("field", c.field());
    }
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
