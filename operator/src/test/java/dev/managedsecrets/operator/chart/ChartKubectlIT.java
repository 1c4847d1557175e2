package dev.managedsecrets.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered chart goes through the real kubectl to an API server, as {@code helm install} would
 * send it: CRDs first, then the templates. The API server is fabric8's CRUD mock with discovery
 * (until the embedded API server lands, which also validates objects against their schemas).
 */
class ChartKubectlIT {

  @TempDir Path dir;

  @Test
  void theDefaultChartAppliesWithKubectl() throws Exception {
    applyAndCheck("{}");
  }

  @Test
  void aHighlyAvailableMonitoredAndFencedInstallAppliesWithKubectl() throws Exception {
    applyAndCheck(
        """
        replicaCount: 3
        serviceMonitor: {enabled: true}
        networkPolicy: {enabled: true}
        config:
          watchNamespaces: [team-a, team-b]
        """);
  }

  private void applyAndCheck(String values) throws Exception {
    Path crds = dir.resolve("crds.yaml");
    Files.writeString(crds, Chart.crds().yaml());
    Manifests rendered = Chart.render(values);
    Path templates = dir.resolve("templates.yaml");
    Files.writeString(templates, rendered.yaml());

    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new DiscoveryDispatcher(), false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(kubeconfig, kubeconfig(client.getConfiguration().getMasterUrl()));

      String created = kubectl(kubeconfig, "apply", "--validate=false", "-f", crds.toString());
      assertThat(created)
          .contains(
              "customresourcedefinition.apiextensions.k8s.io/managedsecrets.managedsecrets.dev created");
      String applied = kubectl(kubeconfig, "apply", "--validate=false", "-f", templates.toString());
      assertThat(applied.lines().filter(l -> l.endsWith(" created")))
          .as("kubectl's output:\n%s", applied)
          .hasSize(rendered.documents().size());

      for (Map<String, Object> doc : rendered.documents()) {
        String apiVersion = (String) doc.get("apiVersion");
        String kind = (String) doc.get("kind");
        Map<String, Object> meta = Manifests.metadata(doc);
        DiscoveryDispatcher.Kind k = DiscoveryDispatcher.kind(apiVersion, kind);
        String path = k.path((String) meta.get("namespace"), (String) meta.get("name"));
        String json =
            client.raw(client.getConfiguration().getMasterUrl().replaceAll("/$", "") + path);
        assertThat(json).as("%s %s on the API server", kind, meta.get("name")).isNotNull();
        GenericKubernetesResource stored =
            Serialization.unmarshal(json, GenericKubernetesResource.class);
        assertThat(stored.getMetadata().getAnnotations())
            .as("applied by kubectl")
            .containsKey("kubectl.kubernetes.io/last-applied-configuration");
        Map<String, Object> sent = new HashMap<>(doc);
        sent.remove("metadata");
        sent.remove("apiVersion"); // typed fields of GenericKubernetesResource
        sent.remove("kind");
        Map<String, Object> got = new HashMap<>(stored.getAdditionalProperties());
        assertThat(got).as("%s %s as stored", kind, meta.get("name")).containsAllEntriesOf(sent);
      }
    } finally {
      server.destroy();
    }
  }

  private String kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(kubectlBinary());
    command.add("--kubeconfig=" + kubeconfig);
    command.add("--cache-dir=" + dir.resolve("cache"));
    command.add("--request-timeout=30s");
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    p.getOutputStream().close();
    boolean done = p.waitFor(90, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) {
      p.destroyForcibly();
    }
    assertThat(done).as("kubectl %s finished", String.join(" ", args)).isTrue();
    assertThat(p.exitValue())
        .as("kubectl %s exit code; output:\n%s", String.join(" ", args), out)
        .isZero();
    return out;
  }

  /** kubectl from the PATH (CI installs Debian's kubernetes-client when it is missing). */
  private static String kubectlBinary() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(d, "kubectl");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new AssertionError("kubectl is not on the PATH: install it (Debian: kubernetes-client)");
  }

  private static String kubeconfig(String url) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
          - name: mock
            cluster: {server: "%s"}
        contexts:
          - name: mock
            context: {cluster: mock, user: test, namespace: default}
        current-context: mock
        users:
          - name: test
            user: {token: not-checked}
        """
        .formatted(url.replaceAll("/$", ""));
  }
}
