package dev.managedsecrets.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.embedded.Kubectl;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's whole life through the real {@code helm} (Helm 3.17, from ./test.sh) against the
 * embedded API server started as a new cluster (no CRDs, no operator namespace): install with
 * {@code --create-namespace}, list, upgrade, rollback, upgrade {@code --reuse-values}, uninstall,
 * install again; and {@code helm template | kubectl apply --server-side} on a second server gives
 * the same objects. The operator runs in this JVM against the same server, from the configuration
 * the chart installed (no pod runs here), and a ManagedSecret applied after the install stays Ready
 * throughout. The commands the README's Helm section shows are these ({@link
 * #theReadmeShowsTheCommandsThisTestRuns}).
 */
class HelmLifecycleIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RELEASE = Chart.RELEASE;
  private static final String NS = Chart.NAMESPACE;

  /** The README's commands, as it shows them (helm/... is relative to the repository). */
  static final String INSTALL =
      "helm install managedsecret-operator helm/managedsecret-operator --namespace"
          + " managedsecret-system --create-namespace --set"
          + " image.repository=registry.example.com/managedsecret-operator";

  static final String PRODUCTION_INSTALL =
      "helm install managedsecret-operator helm/managedsecret-operator -n managedsecret-system"
          + " --create-namespace --set replicaCount=2 --set serviceMonitor.enabled=true --set"
          + " networkPolicy.enabled=true --set-string config.accountId=123456789012";

  static final String APPLY_CRDS =
      "kubectl apply --server-side --force-conflicts -f helm/managedsecret-operator/crds/";

  static final String UPGRADE_REUSE =
      "helm upgrade managedsecret-operator helm/managedsecret-operator -n managedsecret-system"
          + " --reuse-values";

  static final String ROLLBACK = "helm rollback managedsecret-operator 1 -n managedsecret-system";

  static final String UNINSTALL = "helm uninstall managedsecret-operator -n managedsecret-system";

  static final String CREATE_NAMESPACE = "kubectl create namespace managedsecret-system";

  static final String TEMPLATE =
      "helm template managedsecret-operator helm/managedsecret-operator --namespace"
          + " managedsecret-system --include-crds --set"
          + " image.repository=registry.example.com/managedsecret-operator";

  static final String APPLY_TEMPLATE = "kubectl apply --server-side -f -";

  /** The ManagedSecret of the chart's NOTES. */
  private static final String HELLO =
      """
      apiVersion: managedsecrets.dev/v1alpha1
      kind: ManagedSecret
      metadata: {name: hello, namespace: default}
      spec: {data: {greeting: hello}}
      """;

  @TempDir Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<EmbeddedApiServer.Request> requests = new CopyOnWriteArrayList<>();
  private OperatorRuntime operator;
  private int configs;

  @AfterEach
  void stop() throws Exception {
    stopOperator();
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void theChartInstallsUpgradesRollsBackAndUninstallsWithTheRealHelmAndKeepsEveryManagedSecret()
      throws Exception {
    EmbeddedApiServer api =
        started(EmbeddedApiServer.options().withoutCrds().onRequest(requests::add));
    Cluster cluster = new Cluster(api, dir.resolve("one"));
    assertThat(cluster.api.client().namespaces().withName(NS).get()).isNull();
    assertThat(cluster.api.client().apiextensions().v1().customResourceDefinitions().list())
        .satisfies(l -> assertThat(l.getItems()).isEmpty());

    // Install: the CRDs of crds/ (Helm waits until they are Established), then the namespace and
    // the templates.
    ok(cluster.run(INSTALL));
    assertThat(cluster.api.crdsEstablished()).isTrue();
    assertThat(release(cluster)).containsEntry("status", "deployed").containsEntry("revision", "1");
    String installed = configChecksum(cluster);

    startOperator(cluster);
    ok(cluster.kubectl.runWithInput(HELLO, "apply", "-f", "-"));
    awaitReady(cluster);
    Secret projected =
        cluster.api.client().secrets().inNamespace("default").withName("hello").get();
    assertThat(decoded(projected, "greeting")).isEqualTo("hello");

    // An upgrade with a changed value: a new ConfigMap, so a new checksum on the pod template
    // (which rolls the pods); the operator restarted from it reads it.
    ok(
        cluster.run(
            "helm upgrade managedsecret-operator helm/managedsecret-operator -n"
                + " managedsecret-system --reuse-values --set config.fromSecretPollInterval=PT47S"));
    assertThat(release(cluster)).containsEntry("status", "deployed").containsEntry("revision", "2");
    assertThat(configChecksum(cluster)).isNotEqualTo(installed);
    assertThat(chartConfig(cluster)).contains("fromSecretPollInterval: PT47S");
    OperatorConfig upgraded = startOperator(cluster);
    assertThat(upgraded.fromSecretPollInterval()).hasSeconds(47);
    awaitReady(cluster);

    // Rollback to the install: its configuration again.
    ok(cluster.run(ROLLBACK));
    assertThat(release(cluster)).containsEntry("status", "deployed").containsEntry("revision", "3");
    assertThat(configChecksum(cluster)).isEqualTo(installed);
    assertThat(chartConfig(cluster)).doesNotContain("fromSecretPollInterval: PT47S");
    startOperator(cluster);
    awaitReady(cluster);

    // The README's upgrade: the values of the install are kept (the image given at install).
    ok(cluster.kubectl.run(args(APPLY_CRDS)));
    ok(cluster.run(UPGRADE_REUSE));
    assertThat(release(cluster)).containsEntry("status", "deployed").containsEntry("revision", "4");
    assertThat(image(cluster)).startsWith("registry.example.com/managedsecret-operator:");
    assertThat(configChecksum(cluster)).isEqualTo(installed);
    JsonNode history =
        JSON.readTree(ok(cluster.run("helm", "history", RELEASE, "-n", NS, "-o", "json")));
    assertThat(history.findValuesAsText("status"))
        .containsExactly("superseded", "superseded", "superseded", "deployed");
    awaitReady(cluster);
    assertThat(cluster.api.client().secrets().inNamespace("default").withName("hello").get())
        .satisfies(s -> assertThat(decoded(s, "greeting")).isEqualTo("hello"));

    // Helm keeps its release in Secrets written as protobuf: created, updated (pending ->
    // deployed / superseded) and deleted with protobuf DeleteOptions, all answered.
    assertThat(
            requests.stream()
                .filter(r -> r.path().contains("/secrets/sh.helm.release.v1." + RELEASE + "."))
                .filter(r -> r.method().equals("PUT"))
                .filter(r -> r.body() != null && r.body().startsWith("k8s\u0000")))
        .as("Helm's protobuf updates of its release Secrets")
        .isNotEmpty();

    // Uninstall: the operator's objects go; the CRDs, the ManagedSecret, its Secret, the store
    // and the keyring stay.
    stopOperator();
    Kubectl.Result uninstalled = cluster.run(UNINSTALL);
    ok(uninstalled);
    assertThat(uninstalled.out() + uninstalled.err())
        .contains("release \"" + RELEASE + "\" uninstalled")
        .doesNotContain("Failed");
    assertThat(JSON.readTree(ok(cluster.run("helm", "list", "-n", NS, "--all", "-o", "json"))))
        .isEmpty();
    assertThat(
            cluster.api.client().secrets().inNamespace(NS).list().getItems().stream()
                .map(s -> s.getMetadata().getName()))
        .noneMatch(n -> n.startsWith("sh.helm.release."))
        .contains("managedsecret-keyring");
    assertThat(cluster.api.client().apps().deployments().inNamespace(NS).list().getItems())
        .isEmpty();
    assertThat(
            cluster.api.client().configMaps().inNamespace(NS).withName(RELEASE + "-config").get())
        .isNull();
    assertThat(cluster.api.crdsEstablished()).isTrue();
    assertThat(managedSecret(cluster)).isNotNull();
    assertThat(cluster.api.client().secrets().inNamespace("default").withName("hello").get())
        .isNotNull();

    // Install again into the namespace that is left: --create-namespace meets AlreadyExists, the
    // CRDs are there; the operator picks the ManagedSecret up.
    ok(cluster.run(INSTALL));
    assertThat(release(cluster)).containsEntry("status", "deployed").containsEntry("revision", "1");
    startOperator(cluster);
    ok(cluster.kubectl.runWithInput(HELLO.replace("hello}", "hello again}"), "apply", "-f", "-"));
    awaitReady(cluster);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        decoded(
                            cluster
                                .api
                                .client()
                                .secrets()
                                .inNamespace("default")
                                .withName("hello")
                                .get(),
                            "greeting"))
                    .isEqualTo("hello again"));

    // The same chart through helm template and kubectl's server-side apply, on a second new
    // cluster: the same objects. (Not on the first: objects without Helm's ownership annotations
    // would make a later helm install refuse them.)
    Cluster other =
        new Cluster(started(EmbeddedApiServer.options().withoutCrds()), dir.resolve("two"));
    ok(other.kubectl.run(args(CREATE_NAMESPACE)));
    String manifests = ok(other.run(TEMPLATE));
    ok(other.kubectl.runWithInput(manifests, args(APPLY_TEMPLATE)));
    assertThat(other.api.crdsEstablished()).isTrue();
    Map<String, JsonNode> byHelm = objects(cluster, manifests);
    Map<String, JsonNode> byKubectl = objects(other, manifests);
    assertThat(byKubectl.keySet()).hasSizeGreaterThan(10).isEqualTo(byHelm.keySet());
    for (String key : byHelm.keySet()) {
      assertThat(byKubectl.get(key)).as(key).isEqualTo(byHelm.get(key));
    }
  }

  @Test
  void theReadmesProductionInstallInstallsOnAClusterWithThePrometheusOperator() throws Exception {
    Cluster cluster =
        new Cluster(started(EmbeddedApiServer.options().withoutCrds()), dir.resolve("prod"));
    Path serviceMonitors =
        Path.of(
            HelmLifecycleIT.class
                .getResource("servicemonitors.monitoring.coreos.com.yaml")
                .toURI());
    ok(cluster.kubectl.run("apply", "--server-side", "-f", serviceMonitors.toString()));
    ok(cluster.kubectl.run("create", "namespace", "monitoring"));
    ok(cluster.run(PRODUCTION_INSTALL));
    assertThat(release(cluster)).containsEntry("status", "deployed");
    assertThat(
            cluster
                .api
                .client()
                .policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(NS)
                .list()
                .getItems())
        .hasSize(1);
    assertThat(
            cluster.api.client().network().v1().networkPolicies().inNamespace(NS).list().getItems())
        .isNotEmpty();
    ok(cluster.run(UNINSTALL));
  }

  @Test
  void theReadmeShowsTheCommandsThisTestRuns() throws IOException {
    String readme = Files.readString(Repo.root().resolve("README.md"));
    String helmSection = readme.substring(readme.indexOf("## Install with Helm"));
    helmSection = helmSection.substring(0, helmSection.indexOf("\n## ", 1));
    // A command the README shows on several lines, joined as the shell joins them.
    String joined = helmSection.replaceAll("\\\\\\n\\s*", "").replaceAll("[ \\t]+", " ");
    for (String command :
        List.of(INSTALL, PRODUCTION_INSTALL, APPLY_CRDS, UPGRADE_REUSE, ROLLBACK, UNINSTALL)) {
      assertThat(joined).as("the README's Helm section").contains(command);
    }
    assertThat(joined).contains(TEMPLATE + " | " + APPLY_TEMPLATE).contains(CREATE_NAMESPACE);
  }

  // ---- the cluster and its clients ----

  private EmbeddedApiServer started(EmbeddedApiServer.Options options) {
    EmbeddedApiServer api = EmbeddedApiServer.start(options);
    open.add(api);
    return api;
  }

  /** One server with the real kubectl and helm configured for it. */
  private static final class Cluster {
    final EmbeddedApiServer api;
    final Kubectl kubectl;
    final HelmBinary helm;

    Cluster(EmbeddedApiServer api, Path dir) throws IOException {
      this.api = api;
      Files.createDirectories(dir);
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      this.kubectl = new Kubectl(kubeconfig, dir.resolve("kube-cache"));
      this.helm = new HelmBinary(kubeconfig, dir.resolve("helm"));
    }

    /** Runs one of the README's helm commands, or helm with these arguments. */
    Kubectl.Result run(String... command) {
      String[] a = command.length == 1 ? args(command[0]) : command;
      assertThat(a[0]).isEqualTo("helm");
      return helm.run(java.util.Arrays.copyOfRange(a, 1, a.length));
    }
  }

  /**
   * The arguments of a command as the README shows it, without the program's name for kubectl (the
   * runner adds it), with paths of the repository made absolute.
   */
  private static String[] args(String command) {
    List<String> out = new ArrayList<>();
    for (String word : command.split(" ")) {
      out.add(word.startsWith("helm/") ? Repo.root().resolve(word).toString() : word);
    }
    if (out.get(0).equals("kubectl")) {
      out.remove(0);
    }
    return out.toArray(String[]::new);
  }

  private static String ok(Kubectl.Result r) {
    assertThat(r.exitCode()).as("%s", r).isZero();
    return r.out();
  }

  // ---- what the test reads ----

  private static Map<String, String> release(Cluster cluster) throws IOException {
    JsonNode list = JSON.readTree(ok(cluster.run("helm", "list", "-n", NS, "--all", "-o", "json")));
    assertThat(list).hasSize(1);
    JsonNode r = list.get(0);
    assertThat(r.path("name").asText()).isEqualTo(RELEASE);
    return Map.of("status", r.path("status").asText(), "revision", r.path("revision").asText());
  }

  private static String configChecksum(Cluster cluster) {
    return podTemplate(cluster).getMetadata().getAnnotations().get("checksum/config");
  }

  private static String image(Cluster cluster) {
    return podTemplate(cluster).getSpec().getContainers().get(0).getImage();
  }

  /** The pod template of the chart's Deployment, as the server stores it. */
  private static io.fabric8.kubernetes.api.model.PodTemplateSpec podTemplate(Cluster cluster) {
    return cluster
        .api
        .client()
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(RELEASE)
        .get()
        .getSpec()
        .getTemplate();
  }

  private static String chartConfig(Cluster cluster) {
    ConfigMap cm =
        cluster.api.client().configMaps().inNamespace(NS).withName(RELEASE + "-config").get();
    return cm.getData().get("config.yaml");
  }

  private static GenericKubernetesResource managedSecret(Cluster cluster) {
    return cluster
        .api
        .client()
        .genericKubernetesResources("managedsecrets.dev/v1alpha1", "ManagedSecret")
        .inNamespace("default")
        .withName("hello")
        .get();
  }

  private static void awaitReady(Cluster cluster) {
    ok(
        cluster.kubectl.run(
            "wait", "-n", "default", "--for=condition=Ready", "ms/hello", "--timeout=60s"));
  }

  private static String decoded(Secret secret, String key) {
    return new String(
        java.util.Base64.getDecoder().decode(secret.getData().get(key)),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * The objects of {@code manifests} as {@code cluster} stores them, by kind/namespace/name: what
   * was sent (spec, data, rules, ...), with the server's own fields and the marks of who sent it
   * (Helm's ownership annotations) left out.
   */
  private static Map<String, JsonNode> objects(Cluster cluster, String manifests)
      throws IOException {
    Map<String, JsonNode> out = new TreeMap<>();
    for (Map<String, Object> doc : Manifests.parse(manifests).documents()) {
      ObjectNode sent = JSON.valueToTree(doc);
      String apiVersion = sent.path("apiVersion").asText();
      String kind = sent.path("kind").asText();
      String name = sent.at("/metadata/name").asText();
      String ns = sent.at("/metadata/namespace").asText(null);
      GenericKubernetesResource stored =
          ns == null
              ? cluster
                  .api
                  .client()
                  .genericKubernetesResources(apiVersion, kind)
                  .withName(name)
                  .get()
              : cluster
                  .api
                  .client()
                  .genericKubernetesResources(apiVersion, kind)
                  .inNamespace(ns)
                  .withName(name)
                  .get();
      assertThat(stored).as("%s %s/%s", kind, ns, name).isNotNull();
      ObjectNode node = JSON.valueToTree(stored);
      node.remove("status");
      ObjectNode meta = (ObjectNode) node.get("metadata");
      ObjectNode kept = JSON.createObjectNode();
      kept.set("labels", meta.get("labels"));
      JsonNode annotations = meta.get("annotations");
      if (annotations instanceof ObjectNode a) {
        ObjectNode copy = a.deepCopy();
        copy.remove(List.of("meta.helm.sh/release-name", "meta.helm.sh/release-namespace"));
        if (!copy.isEmpty()) {
          kept.set("annotations", copy);
        }
      }
      node.set("metadata", kept);
      out.put(kind + " " + ns + "/" + name, node);
    }
    return out;
  }

  // ---- the operator, as the chart's pod would run it ----

  /**
   * (Re)starts the operator in this JVM with the configuration the chart installed (its ConfigMap's
   * config.yaml, and the pod's POD_NAMESPACE), as a rollout would; answers it.
   */
  private OperatorConfig startOperator(Cluster cluster) throws IOException {
    stopOperator();
    Path file = dir.resolve("config-" + ++configs + ".yaml");
    Files.writeString(file, chartConfig(cluster));
    OperatorConfig config = OperatorConfig.load(file, Map.of("POD_NAMESPACE", NS));
    KubernetesClient client =
        new KubernetesClientBuilder().withConfig(cluster.api.config()).build();
    operator =
        OperatorRuntime.start(
            client, config, new SimpleMeterRegistry(), Clock.systemUTC(), () -> {});
    return config;
  }

  private void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }
}
