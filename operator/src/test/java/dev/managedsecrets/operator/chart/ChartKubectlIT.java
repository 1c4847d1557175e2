package dev.managedsecrets.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered chart goes through the real kubectl to the operator's embedded API server ({@link
 * EmbeddedApiServer}), as {@code helm install} would send it to a new cluster: the CRDs of crds/
 * first, then the templates, with client-side and with server-side apply. Every object is then
 * found by {@code kubectl get} as it was sent, and applying the same manifests again changes
 * nothing. The ServiceMonitor is served only once the Prometheus Operator's CRD is there, as on a
 * cluster.
 */
class ChartKubectlIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a production install changes: every optional kind of the chart is rendered. */
  private static final String PRODUCTION =
      """
      replicaCount: 3
      serviceMonitor:
        enabled: true
        namespace: monitoring
        interval: 15s
        scrapeTimeout: 5s
        labels: {release: prometheus}
      networkPolicy:
        enabled: true
        ingressFrom:
          - namespaceSelector:
              matchLabels: {kubernetes.io/metadata.name: monitoring}
        apiServerCidrs: [10.0.0.1/32]
      rbac:
        aggregateToView: true
      config:
        watchNamespaces: [team-a, team-b]
      """;

  /** The kinds of the production install, beyond those of the default one. */
  private static final Set<String> PRODUCTION_KINDS =
      Set.of("PodDisruptionBudget", "NetworkPolicy", "ServiceMonitor", "RoleBinding");

  /** The Prometheus Operator's CRD, as on a cluster that runs it (a test resource). */
  private static final String SERVICE_MONITOR_CRD = "servicemonitors.monitoring.coreos.com.yaml";

  @TempDir Path dir;

  private EmbeddedApiServer api;
  private Path kubeconfig;

  @BeforeEach
  void startANewCluster() throws IOException {
    api = EmbeddedApiServer.start(0);
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
    // The embedded server starts with the operator's CRDs; a new cluster has none, and the chart's
    // crds/ installs them.
    String deleted =
        kubectl(
            "delete",
            "crd",
            "managedsecrets.managedsecrets.dev",
            "kmskeys.managedsecrets.dev",
            "managedsecretreplicas.managedsecrets.dev");
    assertThat(deleted)
        .contains("\"managedsecrets.managedsecrets.dev\" deleted")
        .contains("\"kmskeys.managedsecrets.dev\" deleted")
        .contains("\"managedsecretreplicas.managedsecrets.dev\" deleted");
    assertThat(run("api-resources", "--api-group=managedsecrets.dev").out())
        .doesNotContain("ManagedSecret");
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void theDefaultChartAppliesWithKubectl() throws Exception {
    Manifests rendered = installAndCheck("{}", false);
    assertThat(kinds(rendered)).doesNotContain("PodDisruptionBudget", "NetworkPolicy");
  }

  @Test
  void theDefaultChartAppliesWithKubectlServerSide() throws Exception {
    installAndCheck("{}", true);
  }

  @Test
  void aHighlyAvailableMonitoredAndFencedInstallAppliesWithKubectl() throws Exception {
    prepareForProduction();
    Manifests rendered = installAndCheck(PRODUCTION, false);
    assertThat(kinds(rendered)).containsAll(PRODUCTION_KINDS);
    assertThat(names(rendered, "RoleBinding")).hasSizeGreaterThanOrEqualTo(2);
    // The short names discovery gives, as a cluster's.
    assertThat(kubectl("get", "pdb,netpol", "-n", Chart.NAMESPACE))
        .contains("poddisruptionbudget.policy/" + Chart.RELEASE + " ")
        .contains("networkpolicy.networking.k8s.io/" + Chart.RELEASE + " ");
    assertThat(kubectl("get", "smon", "-n", "monitoring")).contains(Chart.RELEASE + " ");
  }

  @Test
  void aHighlyAvailableMonitoredAndFencedInstallAppliesWithKubectlServerSide() throws Exception {
    prepareForProduction();
    Manifests rendered = installAndCheck(PRODUCTION, true);
    assertThat(kinds(rendered)).containsAll(PRODUCTION_KINDS);
  }

  /**
   * As on a cluster without the Prometheus Operator: kubectl knows no ServiceMonitor kind, applies
   * the rest and fails; once the CRD is there, the ServiceMonitor is created and the rest is
   * unchanged.
   */
  @Test
  void aServiceMonitorIsRefusedUntilThePrometheusOperatorsCrdIsInstalled() throws Exception {
    Manifests rendered = Chart.render("serviceMonitor: {enabled: true}");
    assertThat(kinds(rendered)).contains("ServiceMonitor");
    int others = rendered.documents().size() - 1;
    kubectl("apply", "-f", write("crds.yaml", Chart.crds().yaml()).toString());
    Path templates = write("templates.yaml", rendered.yaml());

    Result refused = run("apply", "-f", templates.toString());
    assertThat(refused.exit()).as("kubectl apply without the CRD: %s", refused).isNotZero();
    assertThat(refused.out())
        .contains("no matches for kind \"ServiceMonitor\" in version \"monitoring.coreos.com/v1\"");
    assertThat(refused.out().lines().filter(l -> l.endsWith(" created")))
        .as("the other objects are applied: %s", refused)
        .hasSize(others);
    assertThat(run("get", "servicemonitors.monitoring.coreos.com", "-A").exit()).isNotZero();

    installServiceMonitorCrd();
    String applied = kubectl("apply", "-f", templates.toString());
    assertThat(applied)
        .contains("servicemonitor.monitoring.coreos.com/" + Chart.RELEASE + " created");
    assertThat(applied.lines().filter(l -> l.endsWith(" unchanged")))
        .as("kubectl's output:\n%s", applied)
        .hasSize(others);
    assertStored(rendered, false);
  }

  /**
   * What the production values need on a cluster: the watched namespaces, the ServiceMonitor's
   * namespace and the Prometheus Operator's CRD.
   */
  private void prepareForProduction() throws IOException {
    // Applied, not made with kubectl create namespace: kubectl's create generators send protobuf,
    // which the embedded server does not read.
    StringBuilder namespaces = new StringBuilder();
    for (String ns : List.of("team-a", "team-b", "monitoring")) {
      namespaces.append("---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ").append(ns);
      namespaces.append("}\n");
    }
    String created =
        kubectl("apply", "-f", write("namespaces.yaml", namespaces.toString()).toString());
    assertThat(created)
        .contains("namespace/team-a created")
        .contains("namespace/team-b created")
        .contains("namespace/monitoring created");
    installServiceMonitorCrd();
  }

  private void installServiceMonitorCrd() throws IOException {
    String yaml;
    try (InputStream in = ChartKubectlIT.class.getResourceAsStream(SERVICE_MONITOR_CRD)) {
      Objects.requireNonNull(in, SERVICE_MONITOR_CRD + " on the class path");
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(kubectl("apply", "-f", write("servicemonitor-crd.yaml", yaml).toString()))
        .contains(
            "customresourcedefinition.apiextensions.k8s.io/servicemonitors.monitoring.coreos.com"
                + " created");
  }

  /**
   * Applies the chart's CRDs and then its templates rendered with these values, as helm install
   * does; checks discovery, what is stored, kubectl get, and that a second apply is a no-op.
   */
  private Manifests installAndCheck(String values, boolean serverSide) throws Exception {
    Manifests crds = Chart.crds();
    Path crdFile = write("crds.yaml", crds.yaml());
    Manifests rendered = Chart.render(values);
    Path templates = write("templates.yaml", rendered.yaml());
    String done = serverSide ? " serverside-applied" : " created";

    String created = kubectl(apply(serverSide, crdFile));
    assertThat(created)
        .contains(
            "customresourcedefinition.apiextensions.k8s.io/managedsecrets.managedsecrets.dev"
                + done)
        .contains("customresourcedefinition.apiextensions.k8s.io/kmskeys.managedsecrets.dev" + done)
        .contains(
            "customresourcedefinition.apiextensions.k8s.io/managedsecretreplicas.managedsecrets.dev"
                + done);
    // Established at once, as helm install and kubectl wait expect of a CRD.
    assertThat(
            kubectl(
                "wait",
                "--for=condition=established",
                "--timeout=10s",
                "crd/managedsecrets.managedsecrets.dev",
                "crd/kmskeys.managedsecrets.dev",
                "crd/managedsecretreplicas.managedsecrets.dev"))
        .contains(
            "customresourcedefinition.apiextensions.k8s.io/kmskeys.managedsecrets.dev"
                + " condition met");
    assertCrdsServed();

    String applied = kubectl(apply(serverSide, templates));
    assertThat(applied.lines().filter(l -> l.endsWith(done)))
        .as("kubectl's output:\n%s", applied)
        .hasSize(rendered.documents().size());

    assertDiscovered(rendered);
    Map<String, String> versions = assertStored(rendered, serverSide);
    Map<String, String> crdVersions = assertStored(crds, serverSide);
    assertListed(rendered);

    String again = kubectl(apply(serverSide, templates));
    String crdsAgain = kubectl(apply(serverSide, crdFile));
    if (!serverSide) {
      // Server-side apply reports serverside-applied every time; the resourceVersions tell. So
      // does client-side apply for a PodDisruptionBudget, on any cluster: kubectl's strategic
      // merge patch always carries spec.selector (its patch strategy is replace), so kubectl
      // sends a patch and says "configured", and the server changes nothing.
      String budget = "poddisruptionbudget.policy/" + Chart.RELEASE + " configured";
      assertThat(again.lines().filter(l -> l.endsWith(" unchanged") || l.equals(budget)))
          .as("kubectl's output:\n%s", again)
          .hasSize(rendered.documents().size());
      assertThat(crdsAgain.lines().filter(l -> l.endsWith(" unchanged")))
          .as("kubectl's output:\n%s", crdsAgain)
          .hasSize(crds.documents().size());
    } else {
      assertThat(again.lines().filter(l -> l.endsWith(done)))
          .as("kubectl's output:\n%s", again)
          .hasSize(rendered.documents().size());
    }
    assertThat(assertStored(rendered, serverSide))
        .as("resourceVersions after applying again")
        .isEqualTo(versions);
    assertThat(assertStored(crds, serverSide))
        .as("the CRDs' resourceVersions after applying again")
        .isEqualTo(crdVersions);
    return rendered;
  }

  private static String[] apply(boolean serverSide, Path file) {
    return serverSide
        ? new String[] {"apply", "--server-side", "-f", file.toString()}
        : new String[] {"apply", "-f", file.toString()};
  }

  /** The chart's CRDs are served: their kinds are discovered and can be listed. */
  private void assertCrdsServed() {
    String resources = kubectl("api-resources", "--api-group=managedsecrets.dev");
    assertThat(resources)
        .contains("ManagedSecret")
        .contains("KmsKey")
        .contains("ManagedSecretReplica");
    assertThat(
            kubectl(
                "get",
                "managedsecrets.managedsecrets.dev,kmskeys.managedsecrets.dev,"
                    + "managedsecretreplicas.managedsecrets.dev",
                "-A"))
        .contains("No resources found");
  }

  /** kubectl's discovery knows every rendered apiVersion and kind. */
  private void assertDiscovered(Manifests rendered) {
    String resources = kubectl("api-resources", "--no-headers");
    for (Map<String, Object> doc : rendered.documents()) {
      String apiVersion = (String) doc.get("apiVersion");
      String kind = (String) doc.get("kind");
      assertThat(resources.lines())
          .as("kubectl api-resources lists %s %s:\n%s", apiVersion, kind, resources)
          .anySatisfy(
              line -> {
                List<String> cells = List.of(line.trim().split("\\s+"));
                assertThat(cells).contains(apiVersion);
                assertThat(cells.get(cells.size() - 1)).isEqualTo(kind);
              });
    }
  }

  /**
   * kubectl get finds every object under its name and namespace, holding what was sent, with the
   * mark of the apply; answers the resourceVersions by object.
   */
  @SuppressWarnings("unchecked")
  private Map<String, String> assertStored(Manifests manifests, boolean serverSide)
      throws IOException {
    Map<String, String> versions = new LinkedHashMap<>();
    for (Map<String, Object> doc : manifests.documents()) {
      String kind = (String) doc.get("kind");
      Map<String, Object> meta = Manifests.metadata(doc);
      String name = (String) meta.get("name");
      String namespace = (String) meta.get("namespace");
      List<String> args = new ArrayList<>(List.of("get", type(doc), name, "-o", "json"));
      args.add("--show-managed-fields");
      if (namespace != null) {
        args.add("-n=" + namespace);
      }
      String json = kubectl(args.toArray(String[]::new));
      Map<String, Object> stored = JSON.readValue(json, Map.class);
      Map<String, Object> storedMeta = Manifests.metadata(stored);
      assertThat(storedMeta.get("name")).as("%s %s", kind, name).isEqualTo(name);
      assertThat(storedMeta.get("namespace")).as("%s %s", kind, name).isEqualTo(namespace);
      assertThat(map(storedMeta.get("labels")))
          .as("%s %s labels", kind, name)
          .containsAllEntriesOf(map(meta.get("labels")));
      Map<String, Object> annotations = map(storedMeta.get("annotations"));
      assertThat(annotations)
          .as("%s %s annotations", kind, name)
          .containsAllEntriesOf(map(meta.get("annotations")));
      if (serverSide) {
        assertThat((List<Map<String, Object>>) storedMeta.get("managedFields"))
            .as("%s %s applied server-side by kubectl", kind, name)
            .anySatisfy(
                e -> {
                  assertThat(e.get("manager")).isEqualTo("kubectl");
                  assertThat(e.get("operation")).isEqualTo("Apply");
                });
      } else {
        assertThat(annotations)
            .as("%s %s applied by kubectl", kind, name)
            .containsKey("kubectl.kubernetes.io/last-applied-configuration");
      }
      Map<String, Object> sent = map(numbers(doc));
      sent.remove("metadata");
      Map<String, Object> got = map(numbers(stored));
      got.remove("metadata");
      assertThat(got).as("%s %s as stored", kind, name).containsAllEntriesOf(sent);
      versions.put(
          kind + " " + namespace + "/" + name, String.valueOf(storedMeta.get("resourceVersion")));
    }
    return versions;
  }

  /** Plain kubectl get (a Table from the server) lists every object by name, by namespace. */
  private void assertListed(Manifests rendered) {
    Map<String, Set<String>> typesByNamespace = new LinkedHashMap<>();
    Map<String, Set<String>> namesByNamespace = new LinkedHashMap<>();
    for (Map<String, Object> doc : rendered.documents()) {
      Map<String, Object> meta = Manifests.metadata(doc);
      String ns = Objects.toString(meta.get("namespace"), "");
      typesByNamespace.computeIfAbsent(ns, n -> new LinkedHashSet<>()).add(type(doc));
      namesByNamespace
          .computeIfAbsent(ns, n -> new LinkedHashSet<>())
          .add((String) meta.get("name"));
    }
    typesByNamespace.forEach(
        (ns, types) -> {
          List<String> args = new ArrayList<>(List.of("get", String.join(",", types)));
          if (!ns.isEmpty()) {
            args.add("-n=" + ns);
          }
          String table = kubectl(args.toArray(String[]::new));
          assertThat(table).as("kubectl %s", String.join(" ", args)).contains("NAME");
          for (String name : namesByNamespace.get(ns)) {
            assertThat(table.lines())
                .as("kubectl %s lists %s:\n%s", String.join(" ", args), name, table)
                .anyMatch(l -> l.startsWith(name + " ") || l.contains("/" + name + " "));
          }
        });
  }

  /** The kind as kubectl names it unambiguously: kind.version.group, or kind for the core group. */
  private static String type(Map<String, Object> doc) {
    String apiVersion = (String) doc.get("apiVersion");
    String kind = ((String) doc.get("kind")).toLowerCase(Locale.ROOT);
    int slash = apiVersion.indexOf('/');
    return slash < 0
        ? kind
        : kind + "." + apiVersion.substring(slash + 1) + "." + apiVersion.substring(0, slash);
  }

  private static Set<String> kinds(Manifests m) {
    Set<String> kinds = new LinkedHashSet<>();
    m.documents().forEach(d -> kinds.add((String) d.get("kind")));
    return kinds;
  }

  private static List<Object> names(Manifests m, String kind) {
    return m.ofKind(kind).stream().map(d -> Manifests.metadata(d).get("name")).toList();
  }

  /**
   * A copy with every number as JSON has it (YAML's 30.0 is the API server's 30): integral values
   * as Long, others as Double.
   */
  private static Object numbers(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> copy = new LinkedHashMap<>();
      m.forEach((k, v) -> copy.put(String.valueOf(k), numbers(v)));
      return copy;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(ChartKubectlIT::numbers).toList();
    }
    if (o instanceof Number n) {
      double d = n.doubleValue();
      return d == Math.rint(d) && !Double.isInfinite(d) ? (Object) n.longValue() : (Object) d;
    }
    return o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map ? (Map<String, Object>) o : Map.of();
  }

  private Path write(String name, String content) {
    try {
      return Files.writeString(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How a kubectl run ended: its exit code and its output (stdout and stderr). */
  private record Result(int exit, String out) {
    @Override
    public String toString() {
      return "exit " + exit + ", output:\n" + out;
    }
  }

  /** Runs kubectl; fails unless it exits 0. Answers its output. */
  private String kubectl(String... args) {
    Result r = run(args);
    assertThat(r.exit()).as("kubectl %s: %s", String.join(" ", args), r).isZero();
    return r.out();
  }

  private Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(kubectlBinary());
    command.add("--kubeconfig=" + kubeconfig);
    command.add("--cache-dir=" + dir.resolve("cache"));
    command.add("--request-timeout=30s");
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      p.getOutputStream().close();
      // Read while it runs: a large output would otherwise fill the pipe and block kubectl.
      CompletableFuture<String> output =
          CompletableFuture.supplyAsync(
              () -> {
                try (InputStream in = p.getInputStream()) {
                  return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      boolean done = p.waitFor(90, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
      }
      String out = output.get(10, TimeUnit.SECONDS);
      assertThat(done).as("kubectl %s finished; output:\n%s", String.join(" ", args), out).isTrue();
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("reading kubectl's output", e);
    }
  }

  /** kubectl: $KUBECTL, else the first on the PATH (./test.sh sets both to its kubectl 1.32). */
  private static String kubectlBinary() {
    String configured = System.getenv("KUBECTL");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(d, "kubectl");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new AssertionError(
        "kubectl is not on the PATH: run ./test.sh (it fetches kubectl 1.32 into .tools/), or"
            + " install kubectl 1.27 or newer");
  }
}
