package dev.managedsecrets.operator.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.managedsecrets.operator.chart.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs suit GitOps: the API server adds nothing to an applied object that the manifest in Git
 * does not say (a schema default would make Argo CD report OutOfSync forever), and the chart ships
 * exactly the generated CRDs, in crds/ where Helm never deletes them.
 */
class CrdsForGitOpsTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static List<Path> crdFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void generatedCrdSchemasDeclareNoServerSideDefaults() throws IOException {
    List<Path> files = crdFiles(Repo.crds());
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      JsonNode crd = YAML.readTree(file.toFile());
      for (JsonNode version : crd.path("spec").path("versions")) {
        List<String> defaults = new ArrayList<>();
        collectDefaults(version.path("schema").path("openAPIV3Schema"), "", defaults);
        assertThat(defaults)
            .as("schema defaults in %s version %s", file.getFileName(), version.path("name"))
            .isEmpty();
      }
    }
  }

  @Test
  void theChartShipsTheGeneratedCrdsUnchanged() throws IOException {
    Path chartCrds = Repo.chart().resolve("crds");
    List<String> generated =
        crdFiles(Repo.crds()).stream().map(p -> p.getFileName().toString()).toList();
    List<String> shipped =
        crdFiles(chartCrds).stream().map(p -> p.getFileName().toString()).toList();
    assertThat(shipped).as("CRD files in the chart").isEqualTo(generated);
    for (String name : generated) {
      assertThat(chartCrds.resolve(name))
          .as("helm/managedsecret-operator/crds/%s is stale: copy crds/%s", name, name)
          .hasSameTextualContentAs(Repo.crds().resolve(name));
    }
  }

  @Test
  void crdsCarryNoHelmHookOrPolicyThatCouldDeleteThem() throws IOException {
    for (Path file : crdFiles(Repo.chart().resolve("crds"))) {
      JsonNode annotations = YAML.readTree(file.toFile()).path("metadata").path("annotations");
      Iterator<String> names = annotations.fieldNames();
      while (names.hasNext()) {
        assertThat(names.next())
            .as("annotation of %s", file.getFileName())
            .doesNotStartWith("helm.sh/");
      }
    }
    try (Stream<Path> templates = Files.walk(Repo.chart().resolve("templates"))) {
      for (Path t : templates.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(t))
            .as("template %s", t.getFileName())
            .doesNotContain("CustomResourceDefinition");
      }
    }
  }

  private static void collectDefaults(JsonNode schema, String path, List<String> out) {
    if (schema.isObject()) {
      if (schema.has("default")) {
        out.add(path.isEmpty() ? "." : path);
      }
      Iterator<Map.Entry<String, JsonNode>> fields = schema.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (f.getKey().equals("properties")) {
          f.getValue()
              .fields()
              .forEachRemaining(p -> collectDefaults(p.getValue(), path + "." + p.getKey(), out));
        } else if (f.getValue().isContainerNode()) {
          collectDefaults(f.getValue(), path + "/" + f.getKey(), out);
        }
      }
    } else if (schema.isArray()) {
      for (JsonNode item : schema) {
        collectDefaults(item, path, out);
      }
    }
  }
}
