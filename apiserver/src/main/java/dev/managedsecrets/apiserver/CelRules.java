package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelErrorCode;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.managedsecrets.apiserver.ApiException.Cause;
import java.time.Duration;
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
 *
 * <p>cel-java has no cost model like the API server's, so the rules run under two budgets instead:
 * each evaluation of a rule may make at most {@link #MAX_ITERATIONS} comprehension iterations (the
 * API server's per-call cost limit), and the rules of one object together may evaluate for at most
 * {@link #TIME_BUDGET} (its per-object cost budget; compiling a rule does not count). Past either,
 * no further rule runs and the object is refused with a cause at the rule that ran out, in the API
 * server's words.
 */
final class CelRules {

  /** Comprehension iterations in one evaluation of one rule: 50 tags checked pairwise are 2550. */
  static final int MAX_ITERATIONS = 100_000;

  /**
   * Evaluation time of all the rules of one object: a backstop for what iterations do not count
   * (string functions over long values), generous enough for a machine under load.
   */
  static final Duration TIME_BUDGET = Duration.ofSeconds(5);

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(CelRules.class);

  private final Cel cel;
  private final int maxIterations;
  private final long budgetNanos;
  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  CelRules() {
    this(MAX_ITERATIONS, TIME_BUDGET);
  }

  CelRules(int maxIterations, Duration timeBudget) {
    this.maxIterations = maxIterations;
    this.budgetNanos = timeBudget.toNanos();
    this.cel =
        CelFactory.standardCelBuilder()
            .setOptions(CelOptions.current().comprehensionMaxIterations(maxIterations).build())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .addCompilerLibraries(CelExtensions.strings())
            .addRuntimeLibraries(CelExtensions.strings())
            .build();
  }

  /** Adds a cause for each rule that {@code value} breaks, walking the schema from its root. */
  void check(JsonNode schema, JsonNode value, JsonNode old, List<Cause> causes) {
    try {
      check(schema, value, old, "", causes, new Budget(budgetNanos));
    } catch (OutOfBudget e) {
      causes.add(e.cause);
    }
  }

  private void check(
      JsonNode schema,
      JsonNode value,
      JsonNode old,
      String path,
      List<Cause> causes,
      Budget budget) {
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
      String field = path + rule.path("fieldPath").asText("");
      Invalid invalid = new Invalid(field, typeName(value), rule);
      Object ok = eval(expression, vars, budget, invalid);
      if (!Boolean.TRUE.equals(ok)) {
        causes.add(invalid.cause(message(rule, vars, ok, budget, invalid)));
      }
    }
    if (value.isObject()) {
      JsonNode props = schema.path("properties");
      JsonNode additional = schema.path("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey();
        JsonNode oldChild = old == null ? null : old.get(k);
        String at = path.isEmpty() ? k : path + "." + k;
        if (props.has(k)) {
          check(props.get(k), e.getValue(), oldChild, at, causes, budget);
        } else if (additional.isObject()) {
          check(additional, e.getValue(), oldChild, path + "[" + k + "]", causes, budget);
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        check(schema.get("items"), value.get(i), null, path + "[" + i + "]", causes, budget);
      }
    }
  }

  /** A cause at a rule's field: {@code Invalid value: "<type>": message}. */
  private record Invalid(String field, String type, JsonNode rule) {
    Cause cause(String message) {
      return new Cause(
          rule.path("reason").asText("FieldValueInvalid"),
          field,
          "Invalid value: \"" + type + "\": " + message);
    }

    /** The rule as the API server names it in an error: its message, else its expression. */
    String name() {
      String message = rule.path("message").asText("").trim();
      return message.isEmpty() ? rule.path("rule").asText().trim() : message;
    }
  }

  /** The evaluation time left to the rules of one object. */
  private static final class Budget {
    private long remainingNanos;

    Budget(long nanos) {
      this.remainingNanos = nanos;
    }
  }

  /** No further rule runs: the cause says why, at the rule that ran out. */
  private static final class OutOfBudget extends RuntimeException {
    final transient Cause cause;

    OutOfBudget(Cause cause) {
      super(cause.message(), null, false, false);
      this.cause = cause;
    }
  }

  /** Thrown from within an evaluation when the time budget is spent. */
  private static final class TimeIsUp extends RuntimeException {
    TimeIsUp() {
      super("evaluation time budget exceeded", null, false, false);
    }
  }

  private String message(
      JsonNode rule, Map<String, Object> vars, Object result, Budget budget, Invalid invalid) {
    if (rule.hasNonNull("messageExpression")) {
      Object m = eval(rule.get("messageExpression").asText(), vars, budget, invalid);
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
   *
   * @throws OutOfBudget when the rule makes too many iterations or the time budget is spent
   */
  private Object eval(String expression, Map<String, Object> vars, Budget budget, Invalid rule) {
    CelRuntime.Program program;
    try {
      program = programs.computeIfAbsent(expression, this::compile);
    } catch (IllegalArgumentException e) {
      LOG.warn("CEL rule does not compile: {}: {}", expression, e.getMessage());
      return "compilation failed";
    }
    if (budget.remainingNanos <= 0) {
      throw new OutOfBudget(
          rule.cause(
              "validation failed due to running out of cost budget, no further validation rules"
                  + " will be run"));
    }
    long started = System.nanoTime();
    long deadline = started + budget.remainingNanos;
    try {
      return program.trace(
          vars,
          (expr, value) -> {
            if (System.nanoTime() - deadline >= 0) {
              throw new TimeIsUp();
            }
          });
    } catch (CelEvaluationException e) {
      String limit = null;
      if (e.getErrorCode() == CelErrorCode.ITERATION_BUDGET_EXCEEDED) {
        limit = "actual cost limit exceeded (" + maxIterations + " iterations)";
      } else if (e.getCause() instanceof TimeIsUp) {
        limit = "evaluation time budget exceeded (" + Duration.ofNanos(budgetNanos) + ")";
      }
      if (limit != null) {
        throw new OutOfBudget(
            rule.cause(
                "'operation cancelled: "
                    + limit
                    + "': no further validation rules will be run due to call cost exceeds limit"
                    + " for rule: "
                    + rule.name()));
      }
      return "evaluation failed: " + e.getMessage();
    } finally {
      budget.remainingNanos -= System.nanoTime() - started;
    }
  }

  private CelRuntime.Program compile(String expression) {
    try {
      return cel.createProgram(cel.compile(expression).getAst());
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
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
