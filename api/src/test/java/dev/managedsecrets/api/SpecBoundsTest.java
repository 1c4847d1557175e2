package dev.managedsecrets.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The API server refuses an oversized spec before the operator sees it: every free-form field of
 * every spec has an upper bound in the CRD (docs/API.md, "Bounds"). Strings have a maxLength, or
 * are one of a fixed set of words; maps a maxProperties and a rule on the length of their keys;
 * lists a maxItems.
 */
class SpecBoundsTest {

  @Test
  void everyStringMapAndListOfEverySpecHasAnUpperBound() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("crds.generated")))) {
      files = s.filter(p -> p.toString().endsWith("-v1.yml")).sorted().toList();
    }
    assertThat(files).as("generated CRDs").isNotEmpty();
    for (Path file : files) {
      CustomResourceDefinition crd;
      try (InputStream in = Files.newInputStream(file)) {
        crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      }
      for (var version : crd.getSpec().getVersions()) {
        JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        List<String> unbounded = new ArrayList<>();
        collectUnbounded(spec, crd.getSpec().getNames().getKind() + ".spec", unbounded);
        assertThat(unbounded).as("fields without an upper bound").isEmpty();
      }
    }
  }

  private static void collectUnbounded(JSONSchemaProps schema, String path, List<String> out) {
    String type = schema.getType();
    if ("string".equals(type)) {
      if (schema.getMaxLength() == null && schema.getEnum() == null && !fixedWords(schema)) {
        out.add(path);
      }
    } else if ("array".equals(type)) {
      if (schema.getMaxItems() == null) {
        out.add(path);
      }
      collectUnbounded(schema.getItems().getSchema(), path + "[]", out);
    } else if ("object".equals(type)) {
      if (schema.getAdditionalProperties() != null
          && schema.getAdditionalProperties().getSchema() != null) {
        if (schema.getMaxProperties() == null || !boundsKeys(schema)) {
          out.add(path);
        }
        collectUnbounded(schema.getAdditionalProperties().getSchema(), path + "{}", out);
      }
      for (Map.Entry<String, JSONSchemaProps> p : schema.getProperties().entrySet()) {
        collectUnbounded(p.getValue(), path + "." + p.getKey(), out);
      }
    }
  }

  /** A pattern that matches words of bounded length only: anchored, no * or +. */
  private static boolean fixedWords(JSONSchemaProps schema) {
    String p = schema.getPattern();
    return p != null
        && p.startsWith("^")
        && p.endsWith("$")
        && !p.contains("*")
        && !p.contains("+");
  }

  /** A CEL rule that bounds the length of every key of a map. */
  private static boolean boundsKeys(JSONSchemaProps schema) {
    List<ValidationRule> rules = schema.getXKubernetesValidations();
    return rules != null
        && rules.stream()
            .anyMatch(r -> r.getRule().matches("self\\.all\\(k, .*size\\(k\\) <= \\d+.*"));
  }
}
