package dev.managedsecrets.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.managedsecrets.operator.chart.Repo;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The typed configuration (OperatorConfig) is the reference: each of its fields is overridable by
 * its environment variable, documented in docs/API.md's table, and a value of the chart (values,
 * schema); each of the chart's values is commented and listed in the README.
 */
class ConfigurationReferenceTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A value for each field's environment variable that differs from its default. */
  private static final Map<String, String> SAMPLES =
      Map.ofEntries(
          Map.entry("namespace", "ops"),
          Map.entry("region", "eu-west-1"),
          Map.entry("partition", "aws"),
          Map.entry("accountId", "210987654321"),
          Map.entry("watchNamespaces", "team-a,team-b"),
          Map.entry("fromSecretPollInterval", "PT7S"),
          Map.entry("purgeInterval", "PT2H"),
          Map.entry("leaderElection", "true"),
          Map.entry("leaseName", "other-lease"),
          Map.entry("leaseDuration", "PT20S"),
          Map.entry("leaseRenewDeadline", "PT9S"),
          Map.entry("leaseRetryPeriod", "PT3S"),
          Map.entry("healthPort", "9091"),
          Map.entry("metricsPort", "9090"),
          Map.entry("resyncInterval", "PT30M"),
          Map.entry("reconcileThreads", "7"));

  /**
   * Sections whose own fields have their own variables (MANAGEDSECRET_STORE_*,
   * MANAGEDSECRET_KMS_*), tested field by field in StoreConfigTest and KmsConfigurationTest.
   */
  private static final java.util.Set<String> SECTIONS = java.util.Set.of("store", "kms");

  static List<Field> fields() {
    return Arrays.stream(OperatorConfig.class.getFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers()))
        .toList();
  }

  static String env(String field) {
    return "MANAGEDSECRET_" + field.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase();
  }

  @Test
  void everyFieldIsOverriddenByItsEnvironmentVariable() throws Exception {
    OperatorConfig defaults = new OperatorConfig();
    for (Field f : fields()) {
      if (SECTIONS.contains(f.getName())) {
        continue;
      }
      assertThat(SAMPLES)
          .as("a sample value for the new field %s", f.getName())
          .containsKey(f.getName());
      Map<String, String> env = new HashMap<>();
      env.put(env(f.getName()), SAMPLES.get(f.getName()));
      OperatorConfig loaded = OperatorConfig.load(null, env);
      assertThat(f.get(loaded))
          .as("%s set through %s", f.getName(), env(f.getName()))
          .isNotEqualTo(f.get(defaults));
    }
  }

  @Test
  void everyFieldIsInTheConfigurationTableOfTheDocsWithItsVariable() throws IOException {
    List<String> rows =
        Files.readAllLines(Repo.root().resolve("docs/API.md")).stream()
            .filter(l -> l.startsWith("| `"))
            .toList();
    for (Field f : fields()) {
      assertThat(rows)
          .as("a row for %s in docs/API.md's configuration table", f.getName())
          .anyMatch(r -> r.startsWith("| `" + f.getName() + "` |") && r.contains(env(f.getName())));
    }
  }

  @Test
  void theChartsConfigValuesAndSchemaAreExactlyTheFieldsButTheNamespace() throws IOException {
    TreeSet<String> expected = new TreeSet<>();
    fields().forEach(f -> expected.add(f.getName()));
    expected.remove("namespace"); // always the release's namespace

    JsonNode values = YAML.readTree(Repo.chart().resolve("values.yaml").toFile());
    assertThat(names(values.path("config"))).as("config in values.yaml").isEqualTo(expected);
    JsonNode schema =
        new ObjectMapper().readTree(Repo.chart().resolve("values.schema.json").toFile());
    JsonNode config = schema.path("properties").path("config");
    assertThat(names(config.path("properties")))
        .as("config in values.schema.json")
        .isEqualTo(expected);
    assertThat(config.path("additionalProperties").asBoolean(true))
        .as("the schema refuses unknown config fields")
        .isFalse();
  }

  @Test
  void everyChartValueIsCommentedAndListedInTheReadme() throws IOException {
    List<String> lines = Files.readAllLines(Repo.chart().resolve("values.yaml"));
    List<String> leaves = new ArrayList<>();
    List<String> path = new ArrayList<>();
    List<Integer> indents = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.strip().startsWith("#") || line.strip().startsWith("- ")) {
        continue;
      }
      int indent = line.length() - line.stripLeading().length();
      while (!indents.isEmpty() && indents.get(indents.size() - 1) >= indent) {
        indents.remove(indents.size() - 1);
        path.remove(path.size() - 1);
      }
      String key = line.strip().substring(0, line.strip().indexOf(':'));
      path.add(key);
      indents.add(indent);
      String rest = line.strip().substring(key.length() + 1).strip();
      boolean parent =
          rest.isEmpty()
              && i + 1 < lines.size()
              && (lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length()) > indent
              && !lines.get(i + 1).strip().startsWith("- ");
      if (parent
          && !String.join(".", path).equals("resources")
          && !path.get(0).endsWith("SecurityContext")) {
        continue;
      }
      String dotted = String.join(".", path);
      leaves.add(dotted);
      String above = lines.get(i - 1).strip();
      assertThat(above.startsWith("#")).as("a comment above %s in values.yaml", dotted).isTrue();
      if (parent) {
        // a documented block (resources, security contexts): not descended into
        int blockIndent = indent;
        while (i + 1 < lines.size()
            && (lines.get(i + 1).isBlank()
                || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length()
                    > blockIndent)) {
          i++;
        }
      }
    }
    String readme = Files.readString(Repo.root().resolve("README.md"));
    for (String leaf : leaves) {
      assertThat(readme)
          .as("README's chart values table lists %s", leaf)
          .contains("| `" + leaf + "` |");
    }
    assertThat(leaves)
        .contains("replicaCount", "config.leaseDuration", "networkPolicy.extraEgress");
  }

  private static TreeSet<String> names(JsonNode object) {
    TreeSet<String> out = new TreeSet<>();
    Iterator<String> it = object.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }
}
