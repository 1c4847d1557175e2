package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed CRDs (crds/*.yaml) bound every field their CEL rules read, as the API server's cost
 * estimate demands before it accepts a CRD: a string by maxLength (or enum), a list by maxItems, a
 * map by maxProperties; an object with declared properties is bounded by them. Map keys have no
 * schema of their own: the map's maxProperties bounds a rule that iterates over them.
 */
class CelRuleCostTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path CRDS = Path.of(System.getProperty("crds.dir", "../crds"));

  private final Cel cel =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .addCompilerLibraries(CelExtensions.strings())
          .build();

  /** A node of a schema, and where it is: {@code spec.tags[*].key}. */
  private record Field(JsonNode schema, String path) {}

  private final List<String> unbounded = new ArrayList<>();
  private int rules;

  @Test
  void everyFieldThatACelRuleReadsHasAMaximum() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(CRDS)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).as("CRDs in %s", CRDS.toAbsolutePath()).hasSizeGreaterThanOrEqualTo(2);
    for (Path file : files) {
      for (JsonNode version : YAML.readTree(file.toFile()).at("/spec/versions")) {
        JsonNode schema = version.at("/schema/openAPIV3Schema");
        walk(file.getFileName() + " " + version.path("name").asText(), new Field(schema, ""));
      }
    }
    assertThat(rules).as("CEL rules found").isGreaterThanOrEqualTo(10);
    assertThat(unbounded).isEmpty();
  }

  @Test
  void aFieldWithoutAMaximumIsFound() throws Exception {
    JsonNode schema =
        YAML.readTree(
            """
            properties:
              names: {type: array, maxItems: 5, items: {type: string}}
              labels: {type: object, additionalProperties: {type: string}}
            x-kubernetes-validations:
            - rule: "self.names.all(n, n != 'x') && 'a' in self.labels && has(self.other)"
            """);
    walk("test", new Field(schema, ""));
    assertThat(unbounded)
        .containsExactly(
            "test: names[*] (read by `self.names.all(n, n != 'x') && 'a' in self.labels &&"
                + " has(self.other)`) has no maxLength",
            "test: labels (read by `self.names.all(n, n != 'x') && 'a' in self.labels &&"
                + " has(self.other)`) has no maxProperties");
  }

  private void walk(String crd, Field field) throws Exception {
    JsonNode schema = field.schema();
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      for (String expression : List.of("rule", "messageExpression")) {
        if (rule.hasNonNull(expression)) {
          rules++;
          String text = rule.get(expression).asText();
          Set<Field> reads = new LinkedHashSet<>();
          Map<String, Field> scope = new HashMap<>(Map.of("self", field, "oldSelf", field));
          read(cel.parse(text).getAst().getExpr(), scope, reads);
          for (Field read : reads) {
            String missing = missingMaximum(read.schema());
            if (missing != null) {
              unbounded.add(
                  crd + ": " + read.path() + " (read by `" + text + "`) has no " + missing);
            }
          }
        }
      }
    }
    for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
      String at = field.path().isEmpty() ? p.getKey() : field.path() + "." + p.getKey();
      walk(crd, new Field(p.getValue(), at));
    }
    if (schema.has("items")) {
      walk(crd, new Field(schema.get("items"), field.path() + "[*]"));
    }
    if (schema.path("additionalProperties").isObject()) {
      walk(crd, new Field(schema.get("additionalProperties"), field.path() + "[*]"));
    }
  }

  /**
   * Adds to {@code reads} the schema nodes that {@code e} reads; answers the node it evaluates to,
   * or null when it is not one (a constant, a computed value, a map key).
   */
  private static Field read(CelExpr e, Map<String, Field> scope, Set<Field> reads) {
    switch (e.getKind()) {
      case IDENT -> {
        return touch(scope.get(e.ident().name()), reads);
      }
      case SELECT -> {
        Field operand = read(e.select().operand(), scope, reads);
        // has(self.x) tests presence only
        return e.select().testOnly() ? null : touch(member(operand, e.select().field()), reads);
      }
      case CALL -> {
        e.call().target().ifPresent(t -> read(t, scope, reads));
        List<Field> args = new ArrayList<>();
        e.call().args().forEach(a -> args.add(read(a, scope, reads)));
        return e.call().function().equals("_[_]") ? touch(element(args.get(0)), reads) : null;
      }
      case LIST -> e.list().elements().forEach(x -> read(x, scope, reads));
      case MAP ->
          e.map()
              .entries()
              .forEach(
                  x -> {
                    read(x.key(), scope, reads);
                    read(x.value(), scope, reads);
                  });
      case STRUCT -> e.struct().entries().forEach(x -> read(x.value(), scope, reads));
      case COMPREHENSION -> {
        CelExpr.CelComprehension c = e.comprehension();
        Field range = read(c.iterRange(), scope, reads);
        Map<String, Field> outer = new HashMap<>(scope);
        outer.put(c.accuVar(), null);
        read(c.accuInit(), scope, reads);
        Map<String, Field> inner = new HashMap<>(outer);
        boolean list = range != null && range.schema().has("items");
        // a list's items, or a map's keys (which have no schema)
        inner.put(c.iterVar(), list ? element(range) : null);
        if (!c.iterVar2().isEmpty()) {
          inner.put(c.iterVar2(), element(range)); // a map's values
        }
        read(c.loopCondition(), inner, reads);
        read(c.loopStep(), inner, reads);
        read(c.result(), outer, reads);
      }
      default -> {
        // a constant
      }
    }
    return null;
  }

  private static Field touch(Field field, Set<Field> reads) {
    if (field != null) {
      reads.add(field);
    }
    return field;
  }

  /** {@code object.name}: a declared property, or a map's value. */
  private static Field member(Field object, String name) {
    if (object == null) {
      return null;
    }
    JsonNode property = object.schema().path("properties").get(name);
    if (property != null) {
      return new Field(property, object.path().isEmpty() ? name : object.path() + "." + name);
    }
    return element(object);
  }

  /** A list's items or a map's values. */
  private static Field element(Field container) {
    if (container == null) {
      return null;
    }
    JsonNode s = container.schema();
    JsonNode element = s.has("items") ? s.get("items") : s.get("additionalProperties");
    return element != null && element.isObject()
        ? new Field(element, container.path() + "[*]")
        : null;
  }

  /** The maximum a node of this schema lacks, or null when it is bounded. */
  private static String missingMaximum(JsonNode s) {
    String type = s.path("type").asText();
    if (type.equals("string") && !s.has("maxLength") && !s.has("enum")) {
      return "maxLength";
    }
    if (type.equals("array") && !s.has("maxItems")) {
      return "maxItems";
    }
    if (type.equals("object")
        && s.path("additionalProperties").isObject()
        && !s.has("maxProperties")) {
      return "maxProperties";
    }
    return null;
  }
}
