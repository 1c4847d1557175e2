package dev.managedsecrets.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.managedsecrets.operator.chart.Repo;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The typed configuration (OperatorConfig) is the reference: each of its values, in every section,
 * is overridable by its environment variable, documented with it in docs/API.md's table (or
 * STORES.md, KMS.md), and a value of the chart (values, schema); each of the chart's values is
 * commented and listed in the README.
 */
class ConfigurationReferenceTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final String URL = "jdbc:postgresql://db.internal:5432/managedsecret";

  /** A value for each setting's environment variable that differs from its default, by path. */
  private static final Map<String, String> SAMPLES =
      Map.ofEntries(
          Map.entry("namespace", "ops"),
          Map.entry("region", "eu-west-1"),
          Map.entry("partition", "aws"),
          Map.entry("accountId", "210987654321"),
          Map.entry("watchNamespaces", "team-a,team-b"),
          Map.entry("allowOperatorNamespace", "true"),
          Map.entry("quota.versionsPerNamespace", "500"),
          Map.entry("quota.bytesPerNamespace", "1048576"),
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
          Map.entry("reconcileThreads", "7"),
          Map.entry("api.qps", "20"),
          Map.entry("api.burst", "30"),
          Map.entry("retry.initialInterval", "PT2S"),
          Map.entry("retry.multiplier", "3"),
          Map.entry("retry.maxInterval", "PT10M"),
          Map.entry("store.type", "postgres"),
          Map.entry("store.jdbcUrl", URL),
          Map.entry("store.credentialsSecret", "pg-login"),
          Map.entry("store.schema", "secrets"),
          Map.entry("store.maxPoolSize", "8"),
          Map.entry("store.connectionTimeout", "PT3S"),
          Map.entry("store.allowPlaintext", "true"),
          Map.entry("kms.provider", "aws-kms"),
          Map.entry("kms.pkcs11.library", "/opt/hsm/lib.so"),
          Map.entry("kms.pkcs11.tokenLabel", "t"),
          Map.entry("kms.pkcs11.slot", "1"),
          Map.entry("kms.pkcs11.slotListIndex", "2"),
          Map.entry("kms.pkcs11.pinFile", "/pin"),
          Map.entry("kms.pkcs11.labelPrefix", "p/"),
          Map.entry("kms.pkcs11.pin", "1234"),
          Map.entry("kms.awsKms.region", "us-east-2"),
          Map.entry("kms.awsKms.endpoint", "http://127.0.0.1:4566"),
          Map.entry("kms.awsKms.aliasPrefix", "alias/x/"),
          Map.entry("endpoint.enabled", "true"),
          Map.entry("endpoint.port", "9443"),
          Map.entry("endpoint.address", "127.0.0.1"),
          Map.entry("endpoint.adminNamespace", "ops"),
          Map.entry("endpoint.audience", "other-audience"),
          Map.entry("endpoint.credentialsSecret", "other-credentials"),
          Map.entry("endpoint.credentialsKeyRotation", "PT12H"),
          Map.entry("endpoint.authorizationCacheTtl", "PT2S"),
          Map.entry("endpoint.tls.mode", "secret"),
          Map.entry("endpoint.tls.secretName", "endpoint-cert"),
          Map.entry("endpoint.tls.caSecretName", "endpoint-ca-key"),
          Map.entry("endpoint.tls.caConfigMap", "endpoint-ca-cert"),
          Map.entry("endpoint.tls.serviceName", "sm"),
          Map.entry("sealing.renewalInterval", "P7D"),
          Map.entry("sealing.retiredKeys", "3f2a9c0d1b7e4a55,0123456789abcdef"),
          Map.entry("sealing.sealedOnlyNamespaceSelector", "managedsecrets.dev/sealed-only=true"),
          Map.entry("sealing.resealPort", "9092"),
          Map.entry("rotation.databaseHosts", "db.internal,*.rds.example.com"),
          Map.entry("rotation.maxConcurrent", "20"),
          Map.entry("rotation.maxConcurrentPerHost", "3"),
          Map.entry("rotation.retryWhenBusy", "PT20S"),
          Map.entry("rotation.connectTimeout", "PT5S"),
          Map.entry("rotation.socketTimeout", "PT1M"),
          Map.entry(
              "replication.peers",
              "[{region: eu-west-1, kubeconfigSecret: peer-eu-west-1, namespace: ops}]"),
          Map.entry("replication.orphanAfter", "PT2H"),
          Map.entry("replication.requestTimeout", "PT20S"));

  /** What a sample needs beside it to pass the checks. */
  private static final Map<String, Map<String, String>> NEEDS =
      Map.of(
          "store.type", Map.of("MANAGEDSECRET_STORE_JDBC_URL", URL),
          "kms.provider", Map.of("MANAGEDSECRET_KMS_AWS_REGION", "us-east-2"));

  /** The docs that document the settings with their variables. */
  private static final List<String> DOCS = List.of("docs/API.md", "docs/STORES.md", "docs/KMS.md");

  static List<RecordComponent> fields() {
    return List.of(OperatorConfig.class.getRecordComponents());
  }

  static String env(String field) {
    return "MANAGEDSECRET_" + field.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase();
  }

  @Test
  void everySettingIsOverriddenByEachOfItsEnvironmentVariables() throws Exception {
    OperatorConfig defaults = OperatorConfig.load(null, Map.of());
    for (ConfigLoader.Setting s : ConfigLoader.SETTINGS) {
      assertThat(SAMPLES).as("a sample value for the new field %s", s.path()).containsKey(s.path());
      for (String variable : s.variables()) {
        Map<String, String> env = new HashMap<>(NEEDS.getOrDefault(s.path(), Map.of()));
        env.put(variable, SAMPLES.get(s.path()));
        OperatorConfig loaded = OperatorConfig.load(null, env);
        assertThat(valueAt(loaded, s.path()))
            .as("%s set through %s", s.path(), variable)
            .isNotEqualTo(valueAt(defaults, s.path()));
      }
    }
  }

  @Test
  void theListsAreUnmodifiable() {
    OperatorConfig config =
        OperatorConfig.load(null, Map.of("MANAGEDSECRET_WATCH_NAMESPACES", "team-a"));
    assertThatThrownBy(() -> config.watchNamespaces().add("team-b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void everyFieldIsInTheConfigurationTableOfTheDocsWithItsVariable() throws IOException {
    List<String> rows =
        Files.readAllLines(Repo.root().resolve("docs/API.md")).stream()
            .filter(l -> l.startsWith("| `"))
            .toList();
    for (RecordComponent f : fields()) {
      assertThat(rows)
          .as("a row for %s in docs/API.md's configuration table", f.getName())
          .anyMatch(r -> r.startsWith("| `" + f.getName() + "` |") && r.contains(env(f.getName())));
    }
  }

  @Test
  void theDocsTablesNameEveryVariableAndNoOther() throws IOException {
    List<String> rows = new ArrayList<>();
    for (String doc : DOCS) {
      Files.readAllLines(Repo.root().resolve(doc)).stream()
          .filter(l -> l.startsWith("|"))
          .forEach(rows::add);
    }
    TreeSet<String> variables = new TreeSet<>();
    ConfigLoader.SETTINGS.forEach(s -> variables.addAll(s.variables()));
    for (String variable : variables) {
      assertThat(rows.stream().anyMatch(r -> r.contains("`" + variable + "`")))
          .as("a row with %s in %s", variable, DOCS)
          .isTrue();
    }
    TreeSet<String> documented = new TreeSet<>();
    Matcher m =
        Pattern.compile("MANAGEDSECRET_[A-Z0-9_]*[A-Z0-9]\\b").matcher(String.join("\n", rows));
    while (m.find()) {
      documented.add(m.group());
    }
    assertThat(variables).as("the variables the operator reads").containsAll(documented);
  }

  @Test
  void theChartsConfigValuesAndSchemaAreExactlyTheFieldsButTheNamespace() throws IOException {
    JsonNode values = YAML.readTree(Repo.chart().resolve("values.yaml").toFile());
    JsonNode schema =
        new ObjectMapper().readTree(Repo.chart().resolve("values.schema.json").toFile());
    assertSameFields(
        OperatorConfig.class,
        "config",
        values.path("config"),
        schema.path("properties").path("config"));
  }

  /**
   * The section's values in values.yaml and its schema are its components, but the namespace
   * (always the release's) and the environment's only; the schema refuses others.
   */
  private static void assertSameFields(
      Class<?> section, String path, JsonNode values, JsonNode schema) {
    TreeSet<String> expected = new TreeSet<>();
    for (RecordComponent c : section.getRecordComponents()) {
      String setting = (path + "." + c.getName()).substring("config.".length());
      if (!setting.equals("namespace") && !ConfigLoader.ENVIRONMENT_ONLY.contains(setting)) {
        expected.add(c.getName());
      }
    }
    assertThat(names(values)).as("%s in values.yaml", path).isEqualTo(expected);
    assertThat(names(schema.path("properties")))
        .as("%s in values.schema.json", path)
        .isEqualTo(expected);
    assertThat(schema.path("additionalProperties").asBoolean(true))
        .as("the schema refuses unknown fields of %s", path)
        .isFalse();
    for (RecordComponent c : section.getRecordComponents()) {
      if (c.getType().isRecord()) {
        assertSameFields(
            c.getType(),
            path + "." + c.getName(),
            values.path(c.getName()),
            schema.path("properties").path(c.getName()));
      }
    }
  }

  /** The value at a path such as store.jdbcUrl. */
  private static Object valueAt(Object config, String path) throws ReflectiveOperationException {
    Object value = config;
    for (String name : path.split("\\.")) {
      value = value.getClass().getMethod(name).invoke(value);
    }
    return value;
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
