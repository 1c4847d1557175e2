package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplicaSpec;
import dev.managedsecrets.api.v1alpha1.SecretSource;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.apiserver.ApiRequest;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.chart.Chart;
import dev.managedsecrets.operator.chart.Manifests;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.embedded.Kubectl;
import dev.managedsecrets.operator.rbac.Rbac;
import dev.managedsecrets.operator.store.TestPostgres;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * The chart's RBAC is exactly what the operator uses. The operator runs with the configuration the
 * chart renders, through a representative scenario (every value form, update, drift repair, target
 * rename, a foreign Secret, delete and restore, forced delete, purge, leader election); every API
 * request it makes is recorded (by its User-Agent) and translated into the authorizer's terms. The
 * test fails when a request is not allowed by the rendered roles and bindings, and when a rendered
 * permission is never used.
 */
class RbacIT {

  private static final String NS = "team-a";

  /** A peer region's operator replicating into this cluster: its User-Agent's start. */
  private static final String PEER_USER_AGENT = OperatorClient.USER_AGENT + " replication from ";

  /** The endpoint's requests: the operator's ServiceAccount, under the endpoint's own name. */
  private static final String ENDPOINT_USER_AGENT = "secretsmanager-endpoint/";

  @Test
  void clusterWideRbacWithLeaderElectionAllowsEveryRequestAndGrantsNothingUnused() {
    Manifests chart =
        Chart.render(
            """
            replicaCount: 2
            config:
              fromSecretPollInterval: PT2S
              leaseDuration: PT4S
              leaseRenewDeadline: PT3S
              leaseRetryPeriod: PT1S
            """);
    Used used = runScenario(chart);

    assertThat(used.requests())
        .as("requests recorded")
        .anyMatch(r -> r.toString().startsWith("watch core/secrets (cluster-wide)"))
        .anyMatch(r -> r.toString().startsWith("patch coordination.k8s.io/leases"))
        .anyMatch(r -> r.toString().equals("get core/namespaces kube-system in kube-system"))
        .anyMatch(r -> r.toString().equals("get core/namespaces team-a in team-a"));
    assertRbacIsExact(chart, used);
  }

  @Test
  void namespacedRbacAllowsEveryRequestGrantsNothingUnusedAndLeavesOtherNamespacesAlone() {
    Manifests chart =
        Chart.render(
            """
            config:
              accountId: "123456789012"
              watchNamespaces: [team-a]
              fromSecretPollInterval: PT2S
            """);
    assertThat(chart.ofKind("ClusterRoleBinding")).as("no cluster-wide binding").isEmpty();
    Used used = runScenario(chart);

    assertThat(used.requests())
        .as("requests outside the operator's and the watched namespace")
        .allMatch(
            r -> NS.equals(r.namespace()) || TestCluster.OPERATOR_NAMESPACE.equals(r.namespace()))
        .as("the watched namespace's own Namespace object, read through its RoleBinding")
        .anyMatch(r -> r.toString().equals("get core/namespaces team-a in team-a"));
    assertRbacIsExact(chart, used);
  }

  @Test
  void
      withRolloutRestartTheChartAllowsRestartingWorkloadsInWatchedNamespacesAndGrantsNothingUnused() {
    Manifests chart =
        Chart.render(
            """
            rbac:
              rolloutRestart: true
            config:
              accountId: "123456789012"
              watchNamespaces: [team-a]
              fromSecretPollInterval: PT2S
            """);
    Used used = runScenario(chart, Map.of(), cluster -> {}, RbacIT::rolloutRestartScenario);

    assertThat(used.requests())
        .as("the restarts")
        .anyMatch(r -> r.toString().startsWith("patch apps/deployments web in team-a"))
        .anyMatch(r -> r.toString().startsWith("list apps/statefulsets"))
        .anyMatch(r -> r.toString().startsWith("patch apps/daemonsets"));
    assertRbacIsExact(chart, used);
  }

  /**
   * A value change restarts a Deployment by name and a Deployment, StatefulSet and DaemonSet by
   * label selector.
   */
  private static void rolloutRestartScenario(TestCluster cluster) {
    var client = cluster.client;
    Map<String, String> tier = Map.of("tier", "backend");
    Workloads.deployment(client, NS, "web", Map.of("tier", "web"));
    Workloads.deployment(client, NS, "api", tier);
    Workloads.statefulSet(client, NS, "db", tier);
    Workloads.daemonSet(client, NS, "agent", tier);
    create(
        client,
        managedSecret(
            NS,
            "restarting",
            s -> {
              s.secretString = "one";
              s.target =
                  Workloads.restarting(
                      Workloads.named("Deployment", "web"),
                      Workloads.selecting("Deployment", tier),
                      Workloads.selecting("StatefulSet", tier),
                      Workloads.selecting("DaemonSet", tier));
            }));
    awaitSynced(client, NS, "restarting");
    edit(client, NS, "restarting", s -> s.secretString = "two");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                Workloads.restartedAt(client, NS, "Deployment", "web") != null
                    && Workloads.restartedAt(client, NS, "Deployment", "api") != null
                    && Workloads.restartedAt(client, NS, "StatefulSet", "db") != null
                    && Workloads.restartedAt(client, NS, "DaemonSet", "agent") != null);
    awaitSynced(client, NS, "restarting");
  }

  @Test
  void
      withThePostgresStoreTheOperatorsNamespaceGrantsOnlyTheKeyringSealingKeysAndCredentialsByName() {
    try (TestPostgres postgres = TestPostgres.start()) {
      Manifests chart =
          Chart.render(
              """
              config:
                accountId: "123456789012"
                watchNamespaces: [team-a]
                fromSecretPollInterval: PT2S
                store:
                  type: postgres
                  jdbcUrl: %s?sslmode=disable
                  allowPlaintext: true
                  credentialsSecret: pg-login
              """
                  .formatted(postgres.jdbcUrl()));
      Used used =
          runScenario(
              chart,
              cluster ->
                  cluster
                      .client
                      .secrets()
                      .inNamespace(TestCluster.OPERATOR_NAMESPACE)
                      .resource(
                          new SecretBuilder()
                              .withNewMetadata()
                              .withName("pg-login")
                              .endMetadata()
                              .addToData("username", Fixtures.b64(TestPostgres.USER))
                              .addToData("password", Fixtures.b64(TestPostgres.PASSWORD))
                              .build())
                      .create());

      assertThat(used.requests())
          .as(
              "Secrets of the operator's namespace: the keyring, the sealing keys and the"
                  + " credentials, by name")
          .filteredOn(
              r ->
                  "secrets".equals(r.resource())
                      && TestCluster.OPERATOR_NAMESPACE.equals(r.namespace()))
          .isNotEmpty()
          .allMatch(
              r ->
                  "create".equals(r.verb())
                      || Set.of("managedsecret-keyring", "managedsecret-sealing-keys", "pg-login")
                          .contains(r.name()));
      assertRbacIsExact(chart, used);
    }
  }

  @Test
  void withTheEndpointTheChartAllowsEveryRequestOfTheEndpointAndGrantsNothingUnused() {
    Manifests chart =
        Chart.render(
            """
            config:
              fromSecretPollInterval: PT2S
              endpoint:
                enabled: true
            """);
    Used used =
        runScenario(
            chart,
            Map.of(
                "MANAGEDSECRET_ENDPOINT_ADDRESS", "127.0.0.1", "MANAGEDSECRET_ENDPOINT_PORT", "0"),
            RbacIT::staleEndpointCa,
            RbacIT::endpointScenario);

    assertThat(used.requests())
        .as("the endpoint's requests")
        .anyMatch(r -> r.toString().startsWith("create authorization.k8s.io/subjectaccessreviews"))
        .anyMatch(r -> r.toString().startsWith("create authentication.k8s.io/tokenreviews"))
        .anyMatch(r -> r.toString().startsWith("list managedsecrets.dev/managedsecrets"));
    assertRbacIsExact(chart, used);
  }

  /**
   * A published CA certificate that is not the CA's (edited, or left from an earlier CA): the
   * endpoint puts it right at start.
   */
  private static void staleEndpointCa(TestCluster cluster) {
    cluster
        .client
        .configMaps()
        .inNamespace(TestCluster.OPERATOR_NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("managedsecret-endpoint-ca")
                .endMetadata()
                .addToData("ca.crt", "stale")
                .build())
        .create();
  }

  /**
   * Every kind of request the endpoint makes: a pod's credentials (TokenReview), then, as that
   * pod's ServiceAccount over the endpoint's made certificate, each operation that reads, makes,
   * changes, deletes or restores a ManagedSecret, and a read of another namespace's by its ARN.
   */
  private static void endpointScenario(TestCluster cluster) {
    EndpointClients.serviceAccount(cluster, NS, "app");
    EndpointClients.grant(
        cluster,
        NS,
        "app",
        "manages-secrets",
        List.of("managedsecrets", "managedsecrets/value"),
        "get",
        "list",
        "create",
        "update",
        "patch",
        "delete");
    create(cluster.client, managedSecret("team-b", "elsewhere", s -> s.secretString = "v"));
    awaitSynced(cluster.client, "team-b", "elsewhere");
    String elsewhere = get(cluster.client, "team-b", "elsewhere").getStatus().arn;
    try (SecretsManagerClient sm = EndpointClients.podClient(cluster, NS, "app")) {
      sm.createSecret(r -> r.name("via/endpoint").secretString("one"));
      String made = madeFor(cluster, "via/endpoint");
      awaitSynced(cluster.client, NS, made);
      sm.putSecretValue(r -> r.secretId("via/endpoint").secretString("two"));
      assertThat(sm.getSecretValue(r -> r.secretId("via/endpoint")).secretString())
          .isEqualTo("two");
      sm.updateSecret(r -> r.secretId("via/endpoint").description("made through the endpoint"));
      sm.tagResource(r -> r.secretId("via/endpoint").tags(t -> t.key("team").value("a")));
      assertThat(sm.listSecrets(r -> r.maxResults(10)).secretList()).isNotEmpty();
      sm.deleteSecret(r -> r.secretId("via/endpoint").recoveryWindowInDays(7L));
      await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, NS, made) == null);
      sm.restoreSecret(r -> r.secretId("via/endpoint"));
      awaitSynced(cluster.client, NS, madeFor(cluster, "via/endpoint"));
      assertThat(
              catchThrowableOfType(
                  SecretsManagerException.class,
                  () -> sm.getSecretValue(r -> r.secretId(elsewhere))))
          .as("another namespace's secret, without a grant there")
          .isNotNull();
    }
    // A day later the issuing key is due: the next credentials request rotates it.
    cluster.clock.advance(Duration.ofHours(25));
    try (SecretsManagerClient sm = EndpointClients.podClient(cluster, NS, "app")) {
      assertThat(sm.getSecretValue(r -> r.secretId("via/endpoint")).secretString())
          .isEqualTo("two");
    }
  }

  @Test
  void withWebhookRotationTheChartAllowsReadingTheFunctionsServiceAndGrantsNothingUnused() {
    Manifests chart =
        Chart.render(
            """
            webhookRotation:
              enabled: true
            config:
              fromSecretPollInterval: PT2S
              endpoint:
                enabled: true
            """);
    Used used =
        runScenario(
            chart,
            Map.of(
                "MANAGEDSECRET_ENDPOINT_ADDRESS", "127.0.0.1", "MANAGEDSECRET_ENDPOINT_PORT", "0"),
            RbacIT::staleEndpointCa,
            cluster -> {
              endpointScenario(cluster);
              webhookRotationScenario(cluster);
            });

    assertThat(used.requests())
        .as("the function's Service, read by name")
        .anyMatch(r -> r.toString().startsWith("get core/services rotator in team-a"));
    assertRbacIsExact(chart, used);
  }

  /** A value in the store rotated once by a rotation function behind a Service. */
  private static void webhookRotationScenario(TestCluster cluster) {
    try (RotationFunction function = new RotationFunction(cluster, NS, "rotator")) {
      create(
          cluster.client,
          managedSecret(
              NS,
              "hooked",
              s -> {
                s.valueSource = "Store";
                s.rotation = new dev.managedsecrets.api.v1alpha1.RotationSpec();
                s.rotation.scheduleExpression = "rate(30 days)";
                s.rotation.rotateImmediately = false;
                s.rotation.strategy = "webhook";
                s.rotation.webhook =
                    WebhookRotationIT.webhook("rotator", function.port(), function.ca.caPem());
              }));
      String arn =
          await()
              .atMost(Fixtures.WAIT)
              .until(
                  () -> {
                    ManagedSecret ms = get(cluster.client, NS, "hooked");
                    return ms.getStatus() == null ? null : ms.getStatus().arn;
                  },
                  java.util.Objects::nonNull);
      try (SecretsManagerClient sm =
          EndpointClients.client(cluster, EndpointClients.administrator(cluster))) {
        sm.putSecretValue(r -> r.secretId(arn).secretString("{\"password\":\"first\"}"));
      }
      await()
          .atMost(Fixtures.WAIT)
          .until(() -> get(cluster.client, NS, "hooked").getStatus().versionId != null);
      cluster
          .client
          .resources(ManagedSecret.class)
          .inNamespace(NS)
          .withName("hooked")
          .edit(
              ms -> {
                ms.getMetadata().setAnnotations(Map.of("managedsecrets.dev/rotate-now", "1"));
                return ms;
              });
      await()
          .atMost(Fixtures.WAIT)
          .until(() -> get(cluster.client, NS, "hooked").getStatus().lastRotatedDate != null);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void withReplicaRegionsTheChartAllowsWhatTheReplicaRegionsOperatorUsesAndGrantsNothingUnused() {
    Manifests chart =
        Chart.render(
            """
            config:
              accountId: "123456789012"
              region: eu-west-1
              fromSecretPollInterval: PT2S
              replication:
                peers:
                  - {region: us-east-1, kubeconfigSecret: peer-east}
            replication:
              acceptFrom:
                - {kind: ServiceAccount, name: us-east-1-replicator, namespace: replication}
            """);
    try (TestCluster east = TestCluster.withoutOperator()) {
      Used used =
          runScenario(
              chart,
              Map.of(),
              west -> {
                ReplicationIT.peer(west, "peer-east", east.api.kubeconfig());
                west.client
                    .namespaces()
                    .withName(NS)
                    .edit(
                        n -> {
                          n.getMetadata()
                              .setLabels(Map.of("managedsecrets.dev/accept-replicas", "true"));
                          return n;
                        });
              },
              west -> {
                ReplicationIT.peer(east, "peer-west", west.api.kubeconfig());
                east.configure =
                    Map.of(
                        "MANAGEDSECRET_REGION",
                        ReplicationIT.EAST,
                        "MANAGEDSECRET_REPLICATION_PEERS",
                        "[{region: " + ReplicationIT.WEST + ", kubeconfigSecret: peer-west}]");
                east.startOperator();
                replicationScenario(east, west);
              });

      assertThat(used.requests())
          .as("the replica region's requests")
          .anyMatch(r -> r.toString().startsWith("watch managedsecrets.dev/managedsecretreplicas"))
          .anyMatch(
              r ->
                  r.toString()
                      .startsWith("update managedsecrets.dev/managedsecretreplicas/status"));
      assertRbacIsExact(chart, used);
      // us-east-1's operator in eu-west-1, as the identity replication.acceptFrom binds.
      assertThat(used.fromPeers())
          .as("the peer's requests")
          .anyMatch(
              r -> r.toString().startsWith("create managedsecrets.dev/managedsecretreplicas"));
      assertExact(
          Rbac.forServiceAccount(chart, "replication", "us-east-1-replicator"), used.fromPeers());
    }
  }

  /**
   * A ManagedSecret of us-east-1 replicated into eu-west-1, changed, and its region removed;
   * another one promoted in eu-west-1 (StopReplicationToReplica).
   */
  private static void replicationScenario(TestCluster east, TestCluster west) {
    for (String name : List.of("replicated", "promoted")) {
      create(
          east.client,
          managedSecret(
              NS,
              name,
              s -> {
                s.data = Map.of("password", "p1");
                var region = new dev.managedsecrets.api.v1alpha1.ReplicaRegion();
                region.region = ReplicationIT.WEST;
                s.replicaRegions = List.of(region);
              }));
    }
    for (String name : List.of("replicated", "promoted")) {
      await()
          .atMost(Fixtures.WAIT)
          .until(
              () ->
                  secret(west.client, NS, name) != null
                      && Map.of("password", "p1").equals(text(secret(west.client, NS, name))));
    }

    edit(east.client, NS, "replicated", s -> s.data = Map.of("password", "p2"));
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> Map.of("password", "p2").equals(text(secret(west.client, NS, "replicated"))));

    awaitSynced(west.client, NS, "promoted");
    ReplicationIT.promote(west, NS, "promoted");
    awaitSynced(west.client, NS, "promoted");

    edit(east.client, NS, "replicated", s -> s.replicaRegions = List.of());
    await().atMost(Fixtures.WAIT).until(() -> get(west.client, NS, "replicated") == null);
    east.stopOperator();
  }

  @Test
  void aTenantWithTheReadWriteRoleIsRefusedMakingChangingOrDeletingAReplica(@TempDir Path dir)
      throws Exception {
    Manifests chart = Chart.render("");
    try (TestCluster cluster = TestCluster.withoutOperator()) {
      ClusterRole readwrite =
          chart.get("ClusterRole", "managedsecrets-readwrite", ClusterRole.class);
      readwrite.getMetadata().setResourceVersion(null);
      cluster.client.resource(readwrite).create();
      cluster
          .client
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withNamespace(NS)
                  .withName("alice-readwrite")
                  .endMetadata()
                  .withNewRoleRef(
                      "rbac.authorization.k8s.io", "ClusterRole", "managedsecrets-readwrite")
                  .addNewSubject()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind("User")
                  .withName("alice")
                  .endSubject()
                  .build())
          .create();
      Path kubeconfig =
          cluster.api.writeClientCertificateKubeconfig(
              dir.resolve("alice.kubeconfig"), "alice", List.of(), NS);
      try (KubernetesClient alice =
          new KubernetesClientBuilder()
              .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
              .build()) {
        // The binding works: alice reads replicas and makes ManagedSecrets in team-a.
        assertThat(alice.resources(ManagedSecretReplica.class).inNamespace(NS).list().getItems())
            .isEmpty();
        create(alice, managedSecret(NS, "hers", s -> s.secretString = "v"));

        ManagedSecretReplica replica = new ManagedSecretReplica();
        replica.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("forged").build());
        replica.setSpec(new ManagedSecretReplicaSpec());
        replica.getSpec().primaryRegion = ReplicationIT.EAST;
        replica.getSpec().primaryArn =
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:forged-AbCdEf";
        replica.getSpec().sealed = "not sealed";
        KubernetesClientException refused =
            catchThrowableOfType(
                KubernetesClientException.class, () -> alice.resource(replica).create());
        assertThat(refused).as("create managedsecretreplicas as alice").isNotNull();
        assertThat(refused.getCode()).isEqualTo(403);
        assertThat(
                cluster
                    .client
                    .resources(ManagedSecretReplica.class)
                    .inNamespace(NS)
                    .list()
                    .getItems())
            .isEmpty();

        // The same tenant with the real kubectl: applying a replica, and changing or deleting one
        // that the peer operator made, are refused; the replica stays as it was.
        Kubectl kubectl = new Kubectl(kubeconfig, dir.resolve("kubectl-cache"));
        kubectl.requireSupportedVersion();
        String manifest =
            """
            apiVersion: managedsecrets.dev/v1alpha1
            kind: ManagedSecretReplica
            metadata: {name: forged, namespace: %s}
            spec:
              primaryRegion: us-east-1
              primaryArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:forged-AbCdEf
              sealed: not sealed
            """
                .formatted(NS);
        assertRefused(kubectl.runWithInput(manifest, "apply", "-f", "-"), "create");
        replica.getMetadata().setName("made-by-peer");
        cluster.client.resource(replica).create();
        assertRefused(
            kubectl.run(
                "patch",
                "managedsecretreplica",
                "made-by-peer",
                "-n",
                NS,
                "--type=merge",
                "-p",
                "{\"spec\":{\"forceOverwrite\":true}}"),
            "patch");
        assertRefused(
            kubectl.run("delete", "managedsecretreplica", "made-by-peer", "-n", NS), "delete");
        assertThat(kubectl.run("get", "managedsecretreplicas", "-n", NS, "-o", "name").out())
            .as("alice may read replicas")
            .contains("managedsecretreplica.managedsecrets.dev/made-by-peer");
        ManagedSecretReplica kept =
            cluster
                .client
                .resources(ManagedSecretReplica.class)
                .inNamespace(NS)
                .withName("made-by-peer")
                .get();
        assertThat(kept.getSpec().forceOverwrite).isNull();
        assertThat(kept.getMetadata().getDeletionTimestamp()).isNull();
      }
    }
  }

  private static void assertRefused(Kubectl.Result result, String verb) {
    assertThat(result.exitCode()).as(verb + " as alice: " + result).isNotZero();
    assertThat(result.err())
        .as(verb + " as alice")
        .contains("Forbidden")
        .contains("managedsecretreplicas");
  }

  /** The name of the ManagedSecret that the endpoint made in team-a for {@code secretName}. */
  private static String madeFor(TestCluster cluster, String secretName) {
    return await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                cluster
                    .client
                    .resources(ManagedSecret.class)
                    .inNamespace(NS)
                    .list()
                    .getItems()
                    .stream()
                    .filter(m -> secretName.equals(m.getSpec().secretName))
                    .map(m -> m.getMetadata().getName())
                    .findFirst()
                    .orElse(null),
            java.util.Objects::nonNull);
  }

  private static void assertRbacIsExact(Manifests chart, Used used) {
    List<ApiRequest> all = new ArrayList<>(used.requests());
    all.addAll(used.implied());
    assertExact(Rbac.forServiceAccount(chart, Chart.NAMESPACE, Chart.RELEASE), all);
  }

  /** Every request is allowed, and every permission of the chart is used. */
  private static void assertExact(Rbac rbac, java.util.Collection<ApiRequest> all) {
    assertThat(rbac.denied(all))
        .as(
            "requests of the operator that the chart's RBAC does not allow; granted:\n%s",
            String.join("\n", rbac.grants()))
        .isEmpty();
    assertThat(rbac.unused(all))
        .as(
            "permissions the chart grants that the operator never used; requests:\n%s",
            all.stream()
                .map(ApiRequest::toString)
                .distinct()
                .sorted()
                .collect(Collectors.joining("\n")))
        .isEmpty();
  }

  /**
   * The operator's requests, the checks the API server makes on its behalf, and the requests of
   * peer regions' operators replicating into this cluster (with their checks).
   */
  private record Used(
      Set<ApiRequest> requests, Set<ApiRequest> implied, Set<ApiRequest> fromPeers) {}

  private static Used runScenario(Manifests chart) {
    return runScenario(chart, cluster -> {});
  }

  /** The scenario, on a cluster that {@code prepare} sets up before the operator starts. */
  private static Used runScenario(Manifests chart, Consumer<TestCluster> prepare) {
    return runScenario(chart, Map.of(), prepare, cluster -> {});
  }

  /**
   * The scenario, with the chart's configuration as {@code env} overrides it, on a cluster that
   * {@code prepare} sets up before the operator starts; {@code first} runs once the operator has
   * started, before the scenario moves the clock.
   */
  private static Used runScenario(
      Manifests chart,
      Map<String, String> env,
      Consumer<TestCluster> prepare,
      Consumer<TestCluster> first) {
    OperatorConfig config = Chart.operatorConfig(chart, env);
    Rbac rbac = Rbac.forServiceAccount(chart, Chart.NAMESPACE, Chart.RELEASE);
    List<EmbeddedApiServer.Request> recorded = new ArrayList<>();
    // java-operator-sdk asks which Lease verbs it has: answer with the chart's rules.
    try (TestCluster cluster = TestCluster.withoutOperator(o -> o.rules(rbac::resourceRules))) {
      prepare.accept(cluster);
      cluster.drainRequests();
      cluster.startOperator(config);
      first.accept(cluster);
      scenario(cluster, config);
      cluster.stopOperator();
      recorded.addAll(cluster.drainRequests());
    }
    Set<ApiRequest> requests = new LinkedHashSet<>();
    Set<ApiRequest> implied = new LinkedHashSet<>();
    Set<ApiRequest> fromPeers = new LinkedHashSet<>();
    for (EmbeddedApiServer.Request r : recorded) {
      if (String.valueOf(r.userAgent()).startsWith(PEER_USER_AGENT)) {
        ApiRequest request = ApiRequest.of(r.method(), r.path());
        fromPeers.add(request);
        fromPeers.addAll(ownerChecks(r.body(), request));
        continue;
      }
      if (!OperatorClient.USER_AGENT.equals(r.userAgent())
          && !String.valueOf(r.userAgent()).startsWith(ENDPOINT_USER_AGENT)) {
        continue; // the test's own requests
      }
      ApiRequest request = ApiRequest.of(r.method(), r.path());
      requests.add(request);
      implied.addAll(ownerChecks(r.body(), request));
      implied.addAll(leaseAccessCheck(request, config));
      implied.addAll(statusConflictRereads(request));
    }
    assertThat(requests).as("the operator's recorded requests").isNotEmpty();
    return new Used(requests, implied, fromPeers);
  }

  /**
   * A status update that meets a newer resourceVersion (409) makes java-operator-sdk read the
   * object again (PrimaryUpdateAndCacheUtils) and retry: every status update the operator makes can
   * need a get of the same object, whether or not this run happened to meet a conflict.
   */
  private static List<ApiRequest> statusConflictRereads(ApiRequest request) {
    if (!"update".equals(request.verb()) || !"status".equals(request.subresource())) {
      return List.of();
    }
    return List.of(
        ApiRequest.implied(
            "get", request.apiGroup(), request.resource(), null, request.namespace()));
  }

  /**
   * An owner reference with blockOwnerDeletion makes the API server check that the writer may
   * update the owner's finalizers (OwnerReferencesPermissionEnforcement).
   */
  private static List<ApiRequest> ownerChecks(String requestBody, ApiRequest request) {
    if (!Set.of("create", "update", "patch").contains(request.verb())
        || request.subresource() != null) {
      return List.of();
    }
    JsonNode body;
    try {
      body = Serialization.jsonMapper().readTree(requestBody);
    } catch (Exception e) {
      return List.of();
    }
    List<ApiRequest> out = new ArrayList<>();
    for (JsonNode ref : body.path("metadata").path("ownerReferences")) {
      if (ref.path("blockOwnerDeletion").asBoolean(false)) {
        String apiVersion = ref.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.split("/")[0] : "";
        String resource = ref.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "s";
        out.add(
            new ApiRequest(
                "update",
                group,
                resource,
                "finalizers",
                request.namespace(),
                ref.path("name").asText(),
                null));
      }
    }
    return out;
  }

  /**
   * Before leader election, java-operator-sdk asks (SelfSubjectRulesReview) whether it may get,
   * create and update its Lease, and refuses to start otherwise; renewals are then patches.
   */
  private static List<ApiRequest> leaseAccessCheck(ApiRequest request, OperatorConfig config) {
    if (!"selfsubjectrulesreviews".equals(request.resource())) {
      return List.of();
    }
    String group = "coordination.k8s.io";
    return List.of(
        new ApiRequest("get", group, "leases", null, config.namespace(), config.leaseName(), null),
        new ApiRequest(
            "update", group, "leases", null, config.namespace(), config.leaseName(), null),
        new ApiRequest("create", group, "leases", null, config.namespace(), null, null));
  }

  /** Everything the operator does to a namespace, in one pass. */
  private static void scenario(TestCluster cluster, OperatorConfig config) {
    var client = cluster.client;
    // Value forms: text, bytes, a Secret (whole and one key), key/value fields with generated
    // passwords, database fields, a template and a typed target.
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("source")
                .endMetadata()
                .addToData("user", Fixtures.b64("app"))
                .addToData("pass", Fixtures.b64("s3cret"))
                .build())
        .create();
    create(client, managedSecret(NS, "text", s -> s.secretString = "one"));
    create(
        client,
        managedSecret(
            NS,
            "bytes",
            s -> {
              s.secretBinary = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});
              s.recoveryWindowInDays = 7;
            }));
    create(
        client,
        managedSecret(
            NS,
            "from-whole",
            s -> {
              s.fromSecret = new SecretSource();
              s.fromSecret.name = "source";
            }));
    create(
        client,
        managedSecret(
            NS,
            "from-key",
            s -> {
              s.fromSecret = new SecretSource();
              s.fromSecret.name = "source";
              s.fromSecret.key = "pass";
              s.forceDeleteWithoutRecovery = true;
            }));
    create(
        client,
        managedSecret(
            NS,
            "fields",
            s -> {
              s.data = Map.of("username", "orders");
              s.generate = Map.of("password", new GenerateSpec());
              s.database = new DatabaseSpec();
              s.database.engine = "postgres";
              s.database.host = "db.internal";
              s.database.dbname = "orders";
              s.target = new TargetSpec();
              s.target.type = "kubernetes.io/basic-auth";
              s.target.template = Map.of("url", "postgres://{{username}}@{{host}}/{{dbname}}");
            }));
    for (String name : List.of("text", "bytes", "from-whole", "from-key", "fields")) {
      awaitSynced(client, NS, name);
    }

    // Update: a new version.
    String first = get(client, NS, "text").getStatus().versionId;
    edit(client, NS, "text", s -> s.secretString = "two");
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> !first.equals(get(client, NS, "text").getStatus().versionId));

    // Drift: an edited projected Secret is put back; a deleted one is made again.
    client
        .secrets()
        .inNamespace(NS)
        .withName("fields")
        .edit(s -> new SecretBuilder(s).addToData("username", Fixtures.b64("mallory")).build());
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> "orders".equals(text(secret(client, NS, "fields")).get("username")));
    client.secrets().inNamespace(NS).withName("text").delete();
    await().atMost(Fixtures.WAIT).until(() -> secret(client, NS, "text") != null);

    // A renamed target: the Secret under the old name goes.
    edit(
        client,
        NS,
        "from-whole",
        s -> {
          s.target = new TargetSpec();
          s.target.name = "from-whole-renamed";
        });
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                secret(client, NS, "from-whole") == null
                    && secret(client, NS, "from-whole-renamed") != null);

    // A Secret the operator does not own is reported, never overwritten.
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("foreign")
                .endMetadata()
                .addToData("mine", Fixtures.b64("x"))
                .build())
        .create();
    create(client, managedSecret(NS, "foreign", s -> s.secretString = "v"));
    awaitReady(client, NS, "foreign", "False", "ResourceExistsException");

    // Delete with a recovery window, and restore by creating it again.
    client.resources(ManagedSecret.class).inNamespace(NS).withName("text").delete();
    await().atMost(Fixtures.WAIT).until(() -> get(client, NS, "text") == null);
    create(client, managedSecret(NS, "text", s -> s.secretString = "two"));
    awaitSynced(client, NS, "text");

    // Forced delete purges at once; an expired window is purged by the purge job.
    client.resources(ManagedSecret.class).inNamespace(NS).withName("from-key").delete();
    client.resources(ManagedSecret.class).inNamespace(NS).withName("bytes").delete();
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> get(client, NS, "from-key") == null && get(client, NS, "bytes") == null);
    cluster.clock.advance(Duration.ofDays(8));
    assertThat(cluster.runtime().purgeExpired()).isEqualTo(1);

    // A KmsKey: made (finalizer, status), used by a ManagedSecret, deleted.
    dev.managedsecrets.api.v1alpha1.KmsKey key = new dev.managedsecrets.api.v1alpha1.KmsKey();
    key.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withNamespace(NS)
            .withName("team-key")
            .build());
    key.getSpec().aliases = java.util.List.of("alias/team");
    client.resource(key).create();
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              var k =
                  client
                      .resources(dev.managedsecrets.api.v1alpha1.KmsKey.class)
                      .inNamespace(NS)
                      .withName("team-key")
                      .get();
              return k.getStatus() != null && "Enabled".equals(k.getStatus().keyState);
            });
    create(
        client,
        managedSecret(
            NS,
            "keyed",
            s -> {
              s.secretString = "v";
              s.kmsKeyId = "alias/team";
            }));
    awaitSynced(client, NS, "keyed");
    client.resources(ManagedSecret.class).inNamespace(NS).withName("keyed").delete();
    await().atMost(Fixtures.WAIT).until(() -> get(client, NS, "keyed") == null);
    client
        .resources(dev.managedsecrets.api.v1alpha1.KmsKey.class)
        .inNamespace(NS)
        .withName("team-key")
        .delete();
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                client
                        .resources(dev.managedsecrets.api.v1alpha1.KmsKey.class)
                        .inNamespace(NS)
                        .withName("team-key")
                        .get()
                    == null);

    // A sealed value, opened with the key the operator published; then a renewal of the key, which
    // writes the sealing keys Secret and the published ConfigMap again.
    create(
        client,
        managedSecret(
            NS,
            "sealed",
            s -> s.sealedData = Map.of("k", Sealing.sealData(client, NS, "sealed", "k", "v"))));
    awaitSynced(client, NS, "sealed");
    cluster.clock.advance(Duration.ofDays(31));
    cluster.runtime().maintainSealingKeys();

    if (!config.watchNamespaces().isEmpty()) {
      // A namespace the operator does not watch: nothing happens there.
      create(client, managedSecret("team-b", "unwatched", s -> s.secretString = "v"));
      awaitSynced(client, NS, "text"); // a round trip through the operator meanwhile
      assertThat(get(client, "team-b", "unwatched").getStatus()).isNull();
    }
  }
}
