package dev.managedsecrets.operator.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.managedsecrets.operator.chart.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image the chart runs, checked without a Docker engine: the Dockerfile is parsed into its
 * instructions and held to what the chart and the security model expect.
 */
class DockerfileTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Instruction(String keyword, String arguments) {}

  /** The Dockerfile's instructions, with line continuations joined and comments dropped. */
  static List<Instruction> instructions() throws IOException {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(Repo.root().resolve("Dockerfile"))) {
      String trimmed = line.strip();
      if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String text = current.toString().strip();
      int space = text.indexOf(' ');
      out.add(
          new Instruction(
              text.substring(0, space).toUpperCase(Locale.ROOT),
              text.substring(space + 1).strip()));
      current.setLength(0);
    }
    return out;
  }

  private static List<Instruction> all(String keyword) throws IOException {
    return instructions().stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  private static List<String> exec(String keyword) throws IOException {
    List<Instruction> found = all(keyword);
    assertThat(found).as("%s instructions", keyword).hasSize(1);
    return JSON.readValue(found.get(0).arguments(), new TypeReference<>() {});
  }

  @Test
  void buildsOnTheTemurin17JreAndRunsTheOperatorJarAsANonRootUser() throws IOException {
    List<Instruction> from = all("FROM");
    assertThat(from).hasSize(1);
    assertThat(from.get(0).arguments()).matches("eclipse-temurin:17-jre(@sha256:[0-9a-f]{64})?");

    List<Instruction> users = all("USER");
    assertThat(users).as("USER instructions").isNotEmpty();
    String user = users.get(users.size() - 1).arguments();
    assertThat(user)
        .as("the last USER: numeric, so runAsNonRoot can be verified")
        .matches("\\d+(:\\d+)?");
    assertThat(Integer.parseInt(user.split(":")[0])).as("uid").isPositive();

    List<String> entrypoint = exec("ENTRYPOINT");
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint)
        .containsSubsequence("-jar", "/opt/managedsecret/managedsecret-operator.jar");
    assertThat(exec("CMD")).containsExactly("run", "--config", "/etc/managedsecret/config.yaml");
    assertThat(all("COPY"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.arguments())
                    .endsWith(
                        "operator/target/managedsecret-operator.jar"
                            + " /opt/managedsecret/managedsecret-operator.jar"));
  }

  @Test
  void bakesInNoSecretAndSendsOnlyTheJarAsBuildContext() throws IOException {
    for (Instruction i : instructions()) {
      assertThat(i.keyword()).as("instruction").isNotIn("ADD", "ARG");
      if (i.keyword().equals("ENV") || i.keyword().equals("LABEL")) {
        assertThat(i.arguments().toLowerCase(Locale.ROOT))
            .as("%s %s", i.keyword(), i.arguments())
            .doesNotContain("password", "token", "secret_", "key=", "kubeconfig");
      }
      if (i.keyword().equals("COPY")) {
        assertThat(i.arguments()).doesNotContain("keyring", "kubeconfig", ".kube", "*");
      }
    }
    List<String> ignore =
        Files.readAllLines(Repo.root().resolve(".dockerignore")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertThat(ignore)
        .as(".dockerignore: exclude everything, then let the jar in")
        .containsExactly("*", "!operator/target/managedsecret-operator.jar");
  }

  @Test
  void theChartRunsTheImageAsItsUserWithTheArgumentsItExpects() throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> values =
        new ObjectMapper(new YAMLFactory())
            .readValue(Repo.chart().resolve("values.yaml").toFile(), Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> pod = (Map<String, Object>) values.get("podSecurityContext");
    String user = all("USER").get(all("USER").size() - 1).arguments();
    assertThat(pod)
        .containsEntry("runAsUser", Integer.parseInt(user.split(":")[0]))
        .containsEntry("runAsGroup", Integer.parseInt(user.split(":")[1]))
        .containsEntry("runAsNonRoot", true);
    String deployment = Files.readString(Repo.chart().resolve("templates/deployment.yaml"));
    assertThat(deployment)
        .contains(
            """
                      args:
                        - run
                        - --config
                        - /etc/managedsecret/config.yaml
            """)
        .contains("mountPath: /etc/managedsecret\n");
  }
}
