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
    d.put("group", path.group()).put("kind", path.resource());
    return new ApiException(404, "NotFound", what + " \"" + path.name() + "\" not found", d);
  }

  static ApiException conflict(ResourceType type, String name, String message) {
    ObjectNode d = JSON.createObjectNode().put("name", name);
    d.put("group", type.group()).put("kind", type.plural());
    return new ApiException(409, "Conflict", message, d);
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
