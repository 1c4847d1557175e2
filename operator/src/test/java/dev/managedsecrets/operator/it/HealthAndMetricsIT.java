package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.SecretSource;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.apiclient.ApiClients;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.health.HealthServer;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator's /healthz, /readyz and /metrics, scraped over HTTP as the kubelet and Prometheus
 * do.
 */
class HealthAndMetricsIT {

  static final String CANARY = "CANARY-5b1e0d-never-in-metrics";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

  @Test
  void probesFollowTheOperatorsLifecycleAndMetricsCountTheWorkWithoutASecretByte()
      throws Exception {
    try (TestCluster cluster = TestCluster.withoutOperator()) {
      PrometheusMeterRegistry registry = OperatorMetrics.prometheusRegistry();
      try (HealthServer http = HealthServer.start(0, 0, registry::scrape)) {
        assertThat(get(http.healthPort(), "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(http.healthPort(), "/readyz").statusCode())
            .as("ready before the operator started")
            .isEqualTo(503);

        OperatorRuntime runtime = cluster.newOperator(TestCluster.testConfig(), registry, () -> {});
        http.watch(runtime);
        assertThat(get(http.healthPort(), "/readyz").statusCode()).isEqualTo(200);
        assertThat(get(http.healthPort(), "/readyz").body()).isEqualTo("ok\n");

        String generated = scenario(cluster);
        // The operator's clients are held to api.qps: three reads at 2 a second with a burst of
        // one, so two of them wait.
        try (KubernetesClient limited =
            ApiClients.build(
                cluster.operatorClient.getConfiguration(),
                new OperatorConfig.ApiSettings(2, 1),
                registry,
                ApiClients.OPERATOR)) {
          for (int i = 0; i < 3; i++) {
            limited.namespaces().withName("default").get();
          }
        }
        HttpResponse<String> scrape = get(http.metricsPort(), "/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type"))
            .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        String metrics = scrape.body();

        Map<String, Double> samples = samples(metrics);
        assertThat(samples)
            .as("the operator's metrics after the scenario")
            .hasEntrySatisfying(
                "managedsecret_reconciles_total{result=\"Synced\"}",
                v -> assertThat(v).isPositive())
            .hasEntrySatisfying(
                "managedsecret_reconciles_total{result=\"ResourceNotFoundException\"}",
                v -> assertThat(v).isPositive())
            .hasEntrySatisfying(
                "managedsecret_errors_total{exception=\"ResourceNotFoundException\"}",
                v -> assertThat(v).isPositive())
            // Creates and edits are changes, and start before checks; the drift repair (an
            // owned Secret's event of an up-to-date ManagedSecret) is a check.
            .hasEntrySatisfying(
                "managedsecret_reconciles_asked_total{work=\"change\"}",
                v -> assertThat(v).isGreaterThanOrEqualTo(3.0))
            .hasEntrySatisfying(
                "managedsecret_reconciles_asked_total{work=\"check\"}",
                v -> assertThat(v).isGreaterThanOrEqualTo(1.0))
            .containsKeys(
                "managedsecret_reconcile_queue{work=\"change\"}",
                "managedsecret_reconcile_queue{work=\"check\"}")
            .hasEntrySatisfying(
                "managedsecret_reconcile_duration_seconds_count{operation=\"reconcile\",outcome=\"success\"}",
                v -> assertThat(v).isPositive())
            .containsKey(
                "managedsecret_reconcile_duration_seconds_bucket{operation=\"reconcile\",outcome=\"success\",le=\"0.1\"}")
            .hasEntrySatisfying("managedsecret_versions_total", v -> assertThat(v).isEqualTo(3.0))
            .hasEntrySatisfying(
                "managedsecret_kms_requests_total{operation=\"GenerateDataKey\",result=\"success\"}",
                // one a version, and one for the first sealing key, wrapped at start
                v -> assertThat(v).isEqualTo(4.0))
            .hasEntrySatisfying(
                "managedsecret_kms_requests_total{operation=\"Decrypt\",result=\"success\"}",
                v -> assertThat(v).isPositive())
            .hasEntrySatisfying(
                "managedsecret_store_duration_seconds_count{operation=\"addVersion\",outcome=\"success\"}",
                v -> assertThat(v).isEqualTo(3.0))
            .hasEntrySatisfying(
                "managedsecret_secrets_repaired_total", v -> assertThat(v).isEqualTo(1.0))
            .hasEntrySatisfying("managedsecret_leader", v -> assertThat(v).isEqualTo(1.0))
            .hasEntrySatisfying(
                "managedsecret_api_requests_waited_total{client=\"operator\"}",
                v -> assertThat(v).isEqualTo(2.0))
            .hasEntrySatisfying(
                "managedsecret_api_rate_limit_wait_seconds_count{client=\"operator\"}",
                v -> assertThat(v).isEqualTo(2.0))
            .hasEntrySatisfying(
                "managedsecret_api_rate_limit_wait_seconds_sum{client=\"operator\"}",
                v -> assertThat(v).isGreaterThan(0.5));
        assertThat(samples.keySet())
            .as("the JVM's own metrics")
            .anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"));

        assertThat(metrics).doesNotContain(CANARY).doesNotContain(generated);
        Set<String> labels =
            Set.of("result", "operation", "outcome", "exception", "from", "le", "client", "work");
        for (String series : samples.keySet()) {
          if (!series.startsWith("managedsecret_")) {
            continue;
          }
          Matcher l = LABEL.matcher(series);
          while (l.find()) {
            assertThat(l.group(1)).as("label of %s", series).isIn(labels);
            assertThat(l.group(2)).as("label value of %s", series).matches("[A-Za-z0-9.+]+");
          }
        }

        runtime.close();
        assertThat(get(http.healthPort(), "/healthz").statusCode()).isEqualTo(503);
        assertThat(get(http.healthPort(), "/readyz").statusCode()).isEqualTo(503);
      }
    }
  }

  @Test
  void healthAndMetricsShareOneServerWhenTheirPortsAreEqual() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (HealthServer http = HealthServer.start(port, port, () -> "# empty\n")) {
      assertThat(http.metricsPort()).isEqualTo(http.healthPort()).isEqualTo(port);
      assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(port, "/metrics").body()).isEqualTo("# empty\n");
      assertThat(get(port, "/healthz/more").statusCode()).isEqualTo(404);
      assertThat(
              HTTP.send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                          .POST(HttpRequest.BodyPublishers.noBody())
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(405);
    }
  }

  /**
   * Three versions (one of them with the canary), a drift repair, and a failure; returns the
   * generated password.
   */
  private static String scenario(TestCluster cluster) {
    var client = cluster.client;
    create(
        client,
        managedSecret(
            "default",
            "metered",
            s -> {
              s.data = Map.of("password", CANARY);
              s.generate = Map.of("pin", new GenerateSpec());
            }));
    awaitSynced(client, "default", "metered");
    edit(client, "default", "metered", s -> s.data = Map.of("password", CANARY + "-2"));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                (CANARY + "-2").equals(text(secret(client, "default", "metered")).get("password")));
    create(client, managedSecret("default", "plain", s -> s.secretString = "v"));
    awaitSynced(client, "default", "plain");
    client
        .secrets()
        .inNamespace("default")
        .withName("metered")
        .edit(s -> new SecretBuilder(s).addToData("password", Fixtures.b64("drifted")).build());
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                (CANARY + "-2").equals(text(secret(client, "default", "metered")).get("password")));
    create(
        client,
        managedSecret(
            "default",
            "missing-source",
            s -> {
              s.fromSecret = new SecretSource();
              s.fromSecret.name = "does-not-exist";
            }));
    awaitReady(client, "default", "missing-source", "False", "ResourceNotFoundException");
    return text(secret(client, "default", "metered")).get("pin");
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Series (name and labels, as printed) to value, from Prometheus text format. */
  private static Map<String, Double> samples(String text) {
    Map<String, Double> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a sample line: %s", line).isTrue();
      String series = m.group(2) == null ? m.group(1) : m.group(1) + "{" + m.group(3) + "}";
      out.put(series, Double.parseDouble(m.group(4)));
    }
    return out;
  }
}
