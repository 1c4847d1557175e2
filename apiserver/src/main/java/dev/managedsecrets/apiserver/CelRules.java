package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.managedsecrets.apiserver.ApiException.Cause;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The x-kubernetes-validations rules of a schema, evaluated with CEL (dev.cel, with the strings
 * extension for lowerAscii() and friends). {@code self} is the value at the rule's node; a rule
 * that reads {@code oldSelf} is a transition rule, evaluated only on update when the old object has
 * a value at that node, as the API server does.
 */
final class CelRules {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(CelRules.class);

  private final Cel cel =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .addCompilerLibraries(CelExtensions.strings())
          .addRuntimeLibraries(CelExtensions.strings())
          .build();
  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  /** Adds a cause for each rule that {@code value} breaks, walking the schema. */
  void check(JsonNode schema, JsonNode value, JsonNode old, String path, List<Cause> causes) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expression = rule.path("rule").asText();
      boolean transition = expression.contains("oldSelf");
      if (transition && (old == null || old.isMissingNode() || old.isNull())) {
        continue;
      }
      Map<String, Object> vars = new LinkedHashMap<>();
      vars.put("self", toCel(value));
      if (transition) {
        vars.put("oldSelf", toCel(old));
      }
      Object ok = eval(expression, vars);
      if (!Boolean.TRUE.equals(ok)) {
        String field = path + rule.path("fieldPath").asText("");
        String message = message(rule, vars, ok);
        causes.add(
            new Cause(
                rule.path("reason").asText("FieldValueInvalid"),
                field,
                "Invalid value: \"" + typeName(value) + "\": " + message));
      }
    }
    if (value.isObject()) {
      JsonNode props = schema.path("properties");
      JsonNode additional = schema.path("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey();
        JsonNode oldChild = old == null ? null : old.get(k);
        if (props.has(k)) {
          check(props.get(k), e.getValue(), oldChild, path.isEmpty() ? k : path + "." + k, causes);
        } else if (additional.isObject()) {
          check(additional, e.getValue(), oldChild, path + "[" + k + "]", causes);
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        check(schema.get("items"), value.get(i), null, path + "[" + i + "]", causes);
      }
    }
  }

  private String message(JsonNode rule, Map<String, Object> vars, Object result) {
    if (rule.hasNonNull("messageExpression")) {
      Object m = eval(rule.get("messageExpression").asText(), vars);
      if (m instanceof String s && !s.isBlank()) {
        return s;
      }
    }
    if (rule.hasNonNull("message")) {
      return rule.get("message").asText();
    }
    String failed = "failed rule: " + rule.path("rule").asText();
    return result instanceof String error ? failed + ": " + error : failed;
  }

  /**
   * TRUE/FALSE, the message expression's string, or an error text for a rule that failed to run.
   */
  private Object eval(String expression, Map<String, Object> vars) {
    try {
      CelRuntime.Program program =
          programs.computeIfAbsent(
              expression,
              e -> {
                try {
                  return cel.createProgram(cel.compile(e).getAst());
                } catch (CelValidationException | CelEvaluationException ex) {
                  throw new IllegalArgumentException(ex.getMessage(), ex);
                }
              });
      return program.eval(vars);
    } catch (IllegalArgumentException e) {
      LOG.warn("CEL rule does not compile: {}: {}", expression, e.getMessage());
      return "compilation failed";
    } catch (CelEvaluationException e) {
      return "evaluation failed: " + e.getMessage();
    }
  }

  /** JSON as the values CEL knows: maps, lists, strings, longs, doubles, booleans. */
  static Object toCel(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isNull()) {
                  m.put(e.getKey(), toCel(e.getValue()));
                }
              });
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(e -> l.add(toCel(e)));
      return l;
    }
    if (n.isIntegralNumber()) {
      return n.asLong();
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    return n.asText();
  }

  static String typeName(JsonNode n) {
    if (n == null || n.isNull()) {
      return "null";
    }
    if (n.isObject()) {
      return "object";
    }
    if (n.isArray()) {
      return "array";
    }
    if (n.isIntegralNumber()) {
      return "integer";
    }
    if (n.isNumber()) {
      return "number";
    }
    return n.isBoolean() ? "boolean" : "string";
  }
}
