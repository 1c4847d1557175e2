package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.managedsecrets.apiserver.ApiException.Cause;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admission of custom resources as the API server does it for a structural schema: unknown fields
 * are pruned (or refused with fieldValidation=Strict), then the object is validated against the
 * openAPIV3Schema (com.networknt json-schema-validator) and, only when it passes, its
 * x-kubernetes-validations rules (CEL, {@link CelRules}, under an iteration and time budget),
 * transition rules with oldSelf on update. A refusal is a 422 whose causes name the fields, in the
 * API server's words.
 *
 * <p>Not final only so that a test can make admission slow ({@code EmbeddedApiServer.Options}).
 */
class Admission {

  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
  private final SchemaRegistry registry =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
  private final CelRules cel = new CelRules();
  private final boolean enabled;

  Admission() {
    this(true);
  }

  /** With {@code enabled} false, {@link #admit} lets every object through unchanged. */
  Admission(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Prunes and validates {@code object} (changed in place); {@code old} is the stored object on
   * update, null on create. With {@code statusOnly}, only the status is validated (a write to the
   * status subresource).
   */
  void admit(
      ResourceType type, ObjectNode object, JsonNode old, boolean strict, boolean statusOnly) {
    JsonNode schema = type.schema();
    if (!enabled || schema == null || !schema.isObject()) {
      return;
    }
    List<String> unknown = new ArrayList<>();
    prune(schema, object, "", unknown, true);
    if (strict && !unknown.isEmpty() && !statusOnly) {
      throw ApiException.badRequest(
          type.kind()
              + " in version \""
              + type.version()
              + "\" cannot be handled as a "
              + type.kind()
              + ": strict decoding error: "
              + String.join(
                  ", ", unknown.stream().map(u -> "unknown field \"" + u + "\"").toList()));
    }
    List<Cause> causes = new ArrayList<>();
    for (Error e : compiled(type, schema).validate(object.toString(), InputFormat.JSON)) {
      Cause c = cause(e);
      if (!statusOnly || c.field().startsWith("status")) {
        causes.add(c);
      }
    }
    // The CEL rules only see what the schema admits: their cost is bounded by the schema's
    // maxItems, maxLength and maxProperties, which an object that fails the schema may exceed.
    if (causes.isEmpty() && !statusOnly) {
      cel.check(schema, object, old, causes);
    }
    if (!causes.isEmpty()) {
      throw ApiException.invalid(type, object.at("/metadata/name").asText(), causes);
    }
  }

  /**
   * metadata.name as the API server checks it on create: a DNS subdomain (a label for namespaces).
   */
  static void checkName(ResourceType type, JsonNode object) {
    JsonNode name = object.at("/metadata/name");
    if (!name.isTextual()) {
      return; // generateName
    }
    String n = name.asText();
    boolean label = type.group().isEmpty() && type.kind().equals("Namespace");
    String problem = null;
    if (type.group().equals("rbac.authorization.k8s.io")) {
      // RBAC names are path segments (system:basic-user), as the API server validates them
      problem =
          n.equals(".") || n.equals("..")
              ? "may not be '" + n + "'"
              : n.contains("/")
                  ? "may not contain '/'"
                  : n.contains("%") ? "may not contain '%'" : null;
    } else if (label && (n.length() > 63 || !DNS_LABEL.matcher(n).matches())) {
      problem =
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-',"
              + " and must start and end with an alphanumeric character";
    } else if (!label && (n.length() > 253 || !DNS_SUBDOMAIN.matcher(n).matches())) {
      problem =
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-'"
              + " or '.', and must start and end with an alphanumeric character";
    }
    if (problem != null) {
      throw ApiException.invalid(
          type,
          n,
          List.of(
              new Cause(
                  "FieldValueInvalid",
                  "metadata.name",
                  "Invalid value: \"" + n + "\": " + problem)));
    }
  }

  private static final java.util.regex.Pattern DNS_LABEL =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final java.util.regex.Pattern DNS_SUBDOMAIN =
      java.util.regex.Pattern.compile(
          "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private Schema compiled(ResourceType type, JsonNode schema) {
    String key = type.groupVersion() + "/" + type.plural() + "#" + schema.hashCode();
    return schemas.computeIfAbsent(
        key, k -> registry.getSchema(jsonSchema(schema).toString(), InputFormat.JSON));
  }

  /** The openAPIV3Schema as plain JSON Schema: extensions and formats dropped, nullable mapped. */
  private static JsonNode jsonSchema(JsonNode node) {
    if (node.isArray()) {
      var out = node.deepCopy();
      for (int i = 0; i < out.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) out).set(i, jsonSchema(node.get(i)));
      }
      return out;
    }
    if (!node.isObject()) {
      return node;
    }
    ObjectNode out = node.deepCopy();
    out.removeAll();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      if (k.startsWith("x-kubernetes-") || k.equals("format") || k.equals("nullable")) {
        continue;
      }
      if (k.equals("properties") || k.equals("definitions")) {
        ObjectNode props = out.putObject(k);
        e.getValue()
            .fields()
            .forEachRemaining(p -> props.set(p.getKey(), jsonSchema(p.getValue())));
      } else {
        out.set(k, jsonSchema(e.getValue()));
      }
    }
    if (node.path("x-kubernetes-int-or-string").asBoolean(false)) {
      out.remove("type");
    }
    if (node.path("nullable").asBoolean(false) && out.has("type")) {
      String t = out.get("type").asText();
      out.putArray("type").add(t).add("null");
    }
    return out;
  }

  /** Drops the fields the schema does not declare; names them in {@code unknown}. */
  private static void prune(
      JsonNode schema, JsonNode value, String path, List<String> unknown, boolean root) {
    if (value == null || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      return;
    }
    if (value.isObject()) {
      JsonNode props = schema.get("properties");
      JsonNode additional = schema.get("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey();
        String at = path.isEmpty() ? k : path + "." + k;
        if (root && (k.equals("apiVersion") || k.equals("kind") || k.equals("metadata"))) {
          continue;
        }
        if (props != null && props.has(k)) {
          prune(props.get(k), e.getValue(), at, unknown, false);
        } else if (additional != null && additional.isObject()) {
          prune(additional, e.getValue(), at, unknown, false);
        } else if (props != null || additional != null || schema.has("type")) {
          unknown.add(at);
          it.remove();
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      int i = 0;
      for (JsonNode item : value) {
        prune(schema.get("items"), item, path + "[" + i++ + "]", unknown, false);
      }
    }
  }

  private static Cause cause(Error e) {
    String field = field(e.getInstanceLocation());
    JsonNode instance = toJackson2(e.getInstanceNode());
    String keyword = e.getKeyword() == null ? "" : e.getKeyword();
    Object[] args = e.getArguments() == null ? new Object[0] : e.getArguments();
    String arg = args.length > 0 ? number(String.valueOf(args[0])) : "";
    String value = instance == null ? "null" : instance.toString();
    return switch (keyword) {
      case "required" -> {
        String property = e.getProperty() != null ? e.getProperty() : arg;
        yield new Cause(
            "FieldValueRequired",
            field.isEmpty() ? property : field + "." + property,
            "Required value");
      }
      case "pattern" ->
          new Cause(
              "FieldValueInvalid",
              field,
              "Invalid value: " + value + ": " + field + " in body should match '" + arg + "'");
      case "maxLength" ->
          new Cause("FieldValueTooLong", field, "Too long: may not be more than " + arg + " bytes");
      case "minLength" ->
          new Cause(
              "FieldValueInvalid",
              field,
              "Invalid value: "
                  + value
                  + ": "
                  + field
                  + " in body should be at least "
                  + arg
                  + " chars long");
      case "maximum" ->
          new Cause(
              "FieldValueInvalid",
              field,
              "Invalid value: "
                  + value
                  + ": "
                  + field
                  + " in body should be less than or equal to "
                  + arg);
      case "minimum" ->
          new Cause(
              "FieldValueInvalid",
              field,
              "Invalid value: "
                  + value
                  + ": "
                  + field
                  + " in body should be greater than or equal to "
                  + arg);
      case "maxItems", "maxProperties" ->
          new Cause(
              "FieldValueTooMany",
              field,
              "Too many: " + instance.size() + ": must have at most " + arg + " items");
      case "minItems", "minProperties" ->
          new Cause(
              "FieldValueInvalid",
              field,
              "Invalid value: "
                  + instance.size()
                  + ": "
                  + field
                  + " in body should have at least "
                  + arg
                  + " items");
      case "enum" ->
          new Cause(
              "FieldValueNotSupported",
              field,
              "Unsupported value: " + value + ": supported values: " + arg);
      case "type" ->
          new Cause(
              "FieldValueTypeInvalid",
              field,
              "Invalid value: \""
                  + CelRules.typeName(instance)
                  + "\": "
                  + field
                  + " in body must be of type "
                  + typeArg(e)
                  + ": \""
                  + CelRules.typeName(instance)
                  + "\"");
      default ->
          new Cause("FieldValueInvalid", field, "Invalid value: " + value + ": " + e.getMessage());
    };
  }

  /** 30.0 as the API server writes it: 30. */
  private static String number(String s) {
    try {
      double d = Double.parseDouble(s);
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : s;
    } catch (NumberFormatException e) {
      return s;
    }
  }

  private static String typeArg(Error e) {
    JsonNode schema = toJackson2(e.getSchemaNode());
    if (schema != null && schema.isObject() && schema.has("type")) {
      return schema.get("type").asText();
    }
    if (schema != null && schema.isTextual()) {
      return schema.asText();
    }
    Object[] args = e.getArguments();
    return args != null && args.length > 1 ? String.valueOf(args[1]) : "the declared type";
  }

  private static JsonNode toJackson2(tools.jackson.databind.JsonNode node) {
    if (node == null) {
      return null;
    }
    try {
      return CelRules.JSON.readTree(node.toString());
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      return null;
    }
  }

  /** spec.tags[0].key from $.spec.tags[0].key. */
  static String field(NodePath path) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      Object element = path.getElement(i);
      if (element instanceof Integer index) {
        b.append('[').append(index).append(']');
      } else {
        b.append(b.length() == 0 ? "" : ".").append(element);
      }
    }
    return b.toString();
  }
}
