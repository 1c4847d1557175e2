package dev.managedsecrets.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.managedsecrets.core.sealing.ResealRequest;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The chart, linted and rendered by embedded Helm for its defaults and for the settings a
 * production install changes; its schema refuses bad values before anything is applied.
 */
class ChartRenderIT {

  private static final String FULLNAME = Chart.RELEASE;

  private static Deployment deployment(Manifests m) {
    return m.get("Deployment", FULLNAME, Deployment.class);
  }

  private static Container operator(Manifests m) {
    return deployment(m).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void theChartLintsCleanly() {
    LintResult lint = new Helm(Repo.chart()).lint().strict().call();
    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
  }

  @Test
  void byDefaultOneReplicaRunsUnderTheRestrictedPodSecurityStandardWithoutLeaderElection() {
    Manifests m = Chart.render("{}");

    Deployment d = deployment(m);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getStrategy().getType())
        .as("never two operators without a Lease")
        .isEqualTo("Recreate");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNull();
    assertThat(pod.getVolumes()).noneMatch(v -> v.getHostPath() != null);
    Container c = operator(m);
    assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(c.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getSecurityContext().getPrivileged()).isNull();

    assertThat(c.getArgs()).containsExactly("run", "--config", "/etc/managedsecret/config.yaml");
    assertThat(c.getVolumeMounts())
        .anyMatch(v -> v.getMountPath().equals("/etc/managedsecret") && v.getReadOnly())
        .anyMatch(v -> v.getMountPath().equals("/tmp"));
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("POD_NAMESPACE"));
    assertThat(c.getImage()).isEqualTo("ghcr.io/managedsecrets/managedsecret-operator:0.1.0");

    OperatorConfig config = Chart.operatorConfig(m);
    assertThat(config.namespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(config.leaderElection()).isFalse();
    assertThat(config.accountId()).isNull();
    assertThat(m.has("PodDisruptionBudget")).isFalse();
    assertThat(m.has("ServiceMonitor")).isFalse();
    assertThat(m.has("NetworkPolicy")).isFalse();
    assertThat(m.get("Role", FULLNAME, Role.class).getRules())
        .noneMatch(r -> r.getResources().contains("leases"));
    Service metrics = m.get("Service", FULLNAME + "-metrics", Service.class);
    assertThat(metrics.getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getTargetPort().getIntVal()).isEqualTo(config.metricsPort()));
    assertThat(c.getPorts())
        .anyMatch(p -> p.getContainerPort() == config.metricsPort())
        .anyMatch(p -> p.getContainerPort() == config.healthPort());
  }

  @Test
  void twoReplicasTurnOnLeaderElectionARollingUpdateAndAPodDisruptionBudget() {
    Manifests m = Chart.render("replicaCount: 2\n");

    OperatorConfig config = Chart.operatorConfig(m);
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseName()).isEqualTo("managedsecret-operator");
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    Deployment d = deployment(m);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    PodDisruptionBudget pdb = m.get("PodDisruptionBudget", FULLNAME, PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(d.getSpec().getSelector().getMatchLabels());
    assertThat(m.get("Role", FULLNAME, Role.class).getRules())
        .anyMatch(
            r ->
                r.getResources().contains("leases")
                    && r.getResourceNames().equals(List.of("managedsecret-operator"))
                    && r.getVerbs().containsAll(List.of("get", "update", "patch")));
  }

  @Test
  void moreThanOneReplicaWithLeaderElectionSwitchedOffIsRefused() {
    assertThatThrownBy(() -> Chart.render("replicaCount: 3\nconfig:\n  leaderElection: false\n"))
        .hasMessageContaining("leaderElection must not be false with more than one replica");
  }

  @Test
  void theServiceMonitorScrapesTheMetricsServiceByItsPortName() {
    Manifests m =
        Chart.render("serviceMonitor:\n  enabled: true\n  labels: {release: prometheus}\n");

    Map<String, Object> sm = m.ofKind("ServiceMonitor").get(0);
    assertThat(Manifests.metadata(sm).get("labels"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("release", "prometheus");
    Service metrics = m.get("Service", FULLNAME + "-metrics", Service.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) sm.get("spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).get(0);
    assertThat(endpoint).containsEntry("port", "metrics").containsEntry("path", "/metrics");
    assertThat(metrics.getSpec().getPorts()).anyMatch(p -> p.getName().equals("metrics"));
    @SuppressWarnings("unchecked")
    Map<String, String> selector =
        (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    assertThat(metrics.getMetadata().getLabels()).containsAllEntriesOf(selector);
  }

  @Test
  void
      theNetworkPolicyAdmitsProbesScrapesAndReSealsFromTheApiServerAndLetsOutOnlyApiServerTraffic() {
    Manifests m =
        Chart.render(
            """
            networkPolicy:
              enabled: true
              apiServerCidrs: [10.0.0.1/32]
              ingressFrom:
                - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
            """);

    NetworkPolicy np = m.get("NetworkPolicy", FULLNAME, NetworkPolicy.class);
    assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(np.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(deployment(m).getSpec().getSelector().getMatchLabels());
    assertThat(np.getSpec().getIngress())
        .satisfiesExactly(
            i -> {
              assertThat(i.getPorts())
                  .extracting(p -> p.getPort().getIntVal())
                  .containsExactly(8081, 8080);
              assertThat(i.getFrom()).hasSize(1);
            },
            reseal -> {
              assertThat(reseal.getPorts())
                  .extracting(p -> p.getPort().getIntVal())
                  .containsExactly(8082);
              assertThat(reseal.getFrom())
                  .singleElement()
                  .satisfies(f -> assertThat(f.getIpBlock().getCidr()).isEqualTo("10.0.0.1/32"));
            });
    assertThat(np.getSpec().getEgress())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getPorts())
                  .extracting(p -> p.getPort().getIntVal())
                  .containsExactly(443, 6443);
              assertThat(e.getTo())
                  .singleElement()
                  .satisfies(t -> assertThat(t.getIpBlock().getCidr()).isEqualTo("10.0.0.1/32"));
            });
  }

  @Test
  void listedDatabaseHostsOpenEgressToDnsAndTheDatabasePortsOnly() {
    Manifests m =
        Chart.render(
            """
            networkPolicy:
              enabled: true
              apiServerCidrs: [10.0.0.1/32]
              databaseEgress:
                cidrs: [10.20.0.0/16]
            config:
              rotation:
                databaseHosts: ["*.db.internal"]
            """);

    NetworkPolicy np = m.get("NetworkPolicy", FULLNAME, NetworkPolicy.class);
    assertThat(np.getSpec().getEgress())
        .satisfiesExactly(
            api ->
                assertThat(api.getPorts())
                    .extracting(p -> p.getPort().getIntVal())
                    .containsExactly(443, 6443),
            dns -> {
              assertThat(dns.getPorts())
                  .extracting(p -> p.getPort().getIntVal() + "/" + p.getProtocol())
                  .containsExactly("53/UDP", "53/TCP");
              assertThat(dns.getTo())
                  .singleElement()
                  .satisfies(
                      t ->
                          assertThat(t.getPodSelector().getMatchLabels())
                              .containsEntry("k8s-app", "kube-dns"));
            },
            db -> {
              assertThat(db.getPorts())
                  .extracting(p -> p.getPort().getIntVal())
                  .containsExactly(5432);
              assertThat(db.getTo())
                  .singleElement()
                  .satisfies(t -> assertThat(t.getIpBlock().getCidr()).isEqualTo("10.20.0.0/16"));
            });
  }

  @Test
  void theRenderedConfigurationIsTheTypedConfigurationWithTheGivenValues() {
    Manifests m =
        Chart.render(
            """
            config:
              region: eu-west-1
              accountId: "210987654321"
              watchNamespaces: [team-a, team-b]
              fromSecretPollInterval: PT30S
              leaderElection: true
              leaseDuration: PT30S
              leaseRenewDeadline: PT20S
              leaseRetryPeriod: PT5S
              healthPort: 9091
              metricsPort: 9090
            """);

    OperatorConfig config = Chart.operatorConfig(m);
    assertThat(config.region()).isEqualTo("eu-west-1");
    assertThat(config.accountId()).isEqualTo("210987654321");
    assertThat(config.watchNamespaces()).containsExactly("team-a", "team-b");
    assertThat(config.fromSecretPollInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseRetryPeriod()).isEqualTo(Duration.ofSeconds(5));
    assertThat(operator(m).getPorts())
        .extracting(p -> p.getContainerPort())
        .containsExactlyInAnyOrder(9091, 9090, 8082);
    assertThat(m.ofKind("ClusterRoleBinding")).as("rights only in watched namespaces").isEmpty();
    assertThat(m.ofKind("RoleBinding"))
        .extracting(rb -> Manifests.metadata(rb).get("namespace"))
        .as(
            "the operator's in each watched namespace and its own; the sealing keys' reader; who"
                + " may re-seal")
        .containsExactlyInAnyOrder(
            "team-a", "team-b", Chart.NAMESPACE, Chart.NAMESPACE, Chart.NAMESPACE);
    assertThat(m.ofKind("ClusterRole"))
        .extracting(r -> Manifests.metadata(r).get("name"))
        .as("no account ClusterRole when the account is given")
        .doesNotContain(FULLNAME + "-account");
  }

  @Test
  void theSchemaRefusesBadValues() {
    Map<String, String> bad =
        Map.of(
            "replicaCount: two\n", "replicaCount",
            "replicaCount: 0\n", "replicaCount",
            "kms:\n  provider: vault\n", "provider",
            "config:\n  accountId: \"123\"\n", "accountId",
            "config:\n  leaseDuration: 15s\n", "leaseDuration",
            "config:\n  unknownField: x\n", "unknownField",
            "image:\n  pullPolicy: Sometimes\n", "pullPolicy",
            "replicas: 2\n", "replicas",
            "config:\n  watchNamespaces: [Team_A]\n", "watchNamespaces");
    bad.forEach(
        (values, field) ->
            assertThatThrownBy(() -> Chart.render(values))
                .as("values %s", values.strip())
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(field));
  }

  @Test
  void crdsComeFromTheCrdsDirectoryOnlySoUninstallNeverDeletesThem() throws IOException {
    Manifests templates =
        Chart.render(
            "replicaCount: 2\nserviceMonitor: {enabled: true}\nnetworkPolicy: {enabled: true}\n");
    assertThat(templates.has("CustomResourceDefinition"))
        .as("a CRD among the templates would be deleted by helm uninstall")
        .isFalse();
    for (Map<String, Object> doc : templates.documents()) {
      Object annotations = Manifests.metadata(doc).get("annotations");
      if (annotations instanceof Map<?, ?> a) {
        assertThat(a.keySet())
            .as("annotations of %s", Manifests.metadata(doc).get("name"))
            .noneMatch(k -> k.toString().startsWith("helm.sh/hook"));
      }
    }
    Manifests crds = Chart.crds();
    assertThat(crds.ofKind("CustomResourceDefinition"))
        .extracting(d -> Manifests.metadata(d).get("name"))
        .containsExactly(
            "kmskeys.managedsecrets.dev",
            "managedsecretreplicas.managedsecrets.dev",
            "managedsecrets.managedsecrets.dev");
    List<Map<String, Object>> generated = new ArrayList<>();
    for (String file :
        List.of(
            "kmskeys.managedsecrets.dev.yaml",
            "managedsecretreplicas.managedsecrets.dev.yaml",
            "managedsecrets.managedsecrets.dev.yaml")) {
      generated.addAll(Manifests.parse(Files.readString(Repo.crds().resolve(file))).documents());
    }
    assertThat(crds.documents()).as("the generated CRDs as they are").isEqualTo(generated);
    String shown = Chart.showCrds();
    for (Path file : Chart.crdFiles()) {
      assertThat(shown)
          .as("helm show crds shows %s as it is", file.getFileName())
          .contains(Files.readString(file));
    }
  }

  @Test
  void theChartRendersNoSecretAndEveryNamespacedObjectLivesInTheReleaseNamespace() {
    Manifests m =
        Chart.render(
            "replicaCount: 2\nserviceMonitor: {enabled: true}\nnetworkPolicy: {enabled: true}\n");
    Set<String> clusterScoped =
        Set.of("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition");
    assertThat(m.has("Secret")).isFalse();
    for (Map<String, Object> doc : m.documents()) {
      if (!clusterScoped.contains(doc.get("kind"))) {
        assertThat(Manifests.metadata(doc).get("namespace"))
            .as("namespace of %s %s", doc.get("kind"), Manifests.metadata(doc).get("name"))
            .isEqualTo(Chart.NAMESPACE);
      }
    }
  }

  @Test
  void userRolesAggregateReadWriteIntoAdminAndEditAndViewOnlyWhenAsked() {
    Manifests m = Chart.render("{}");
    ClusterRole readwrite = m.get("ClusterRole", "managedsecrets-readwrite", ClusterRole.class);
    assertThat(readwrite.getMetadata().getLabels())
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-admin", "true")
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true")
        .doesNotContainKey("rbac.authorization.k8s.io/aggregate-to-view");
    assertThat(readwrite.getRules())
        .allMatch(r -> r.getApiGroups().equals(List.of("managedsecrets.dev")))
        .anyMatch(r -> r.getVerbs().containsAll(List.of("create", "update", "delete")));
    ClusterRole view = m.get("ClusterRole", "managedsecrets-view", ClusterRole.class);
    assertThat(view.getMetadata().getLabels())
        .as("a spec may hold plain text: not in view unless asked")
        .doesNotContainKey("rbac.authorization.k8s.io/aggregate-to-view");
    assertThat(view.getRules())
        .allMatch(r -> Set.of("get", "list", "watch").containsAll(r.getVerbs()))
        .allMatch(r -> r.getApiGroups().equals(List.of("managedsecrets.dev")));

    Manifests asked = Chart.render("rbac: {aggregateToView: true}\n");
    assertThat(
            asked
                .get("ClusterRole", "managedsecrets-view", ClusterRole.class)
                .getMetadata()
                .getLabels())
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-view", "true");
  }

  @Test
  void restartingWorkloadsIsGrantedOnlyWhenAskedAndOnlyWhereTheSecretRulesAreBound() {
    Manifests off = Chart.render("{}");
    assertThat(off.get("ClusterRole", FULLNAME, ClusterRole.class).getRules())
        .noneMatch(r -> r.getApiGroups().contains("apps"));

    Manifests on = Chart.render("rbac: {rolloutRestart: true}\n");
    assertThat(on.get("ClusterRole", FULLNAME, ClusterRole.class).getRules())
        .filteredOn(r -> r.getApiGroups().contains("apps"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getResources())
                  .containsExactly("deployments", "statefulsets", "daemonsets");
              assertThat(r.getVerbs()).containsExactly("list", "patch");
            });
    Manifests watched =
        Chart.render("rbac: {rolloutRestart: true}\nconfig: {watchNamespaces: [team-a]}\n");
    assertThat(watched.ofKind("ClusterRoleBinding"))
        .extracting(d -> Manifests.metadata(d).get("name"))
        .doesNotContain(FULLNAME);
    assertThat(watched.ofKind("RoleBinding"))
        .extracting(d -> Manifests.metadata(d).get("namespace"))
        .contains("team-a");
  }

  @Test
  void webhookRotationGrantsGetOnServicesAndHttpsEgressToPodsOnlyWhenEnabled() {
    Manifests off = Chart.render("networkPolicy: {enabled: true}\n");
    assertThat(off.get("ClusterRole", FULLNAME, ClusterRole.class).getRules())
        .noneMatch(r -> r.getResources().contains("services"));
    assertThat(off.get("NetworkPolicy", FULLNAME, NetworkPolicy.class).getSpec().getEgress())
        .hasSize(1);

    Manifests on =
        Chart.render("networkPolicy: {enabled: true}\nwebhookRotation: {enabled: true}\n");
    assertThat(on.get("ClusterRole", FULLNAME, ClusterRole.class).getRules())
        .filteredOn(r -> r.getResources().contains("services"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getApiGroups()).containsExactly("");
              assertThat(r.getResources()).containsExactly("services");
              assertThat(r.getVerbs()).containsExactly("get");
            });
    assertThat(on.get("NetworkPolicy", FULLNAME, NetworkPolicy.class).getSpec().getEgress())
        .hasSize(2)
        .last()
        .satisfies(
            e -> {
              assertThat(e.getPorts())
                  .extracting(p -> p.getPort().getIntVal())
                  .containsExactly(443, 8443);
              assertThat(e.getTo())
                  .singleElement()
                  .satisfies(
                      t -> {
                        assertThat(t.getNamespaceSelector()).isNotNull();
                        assertThat(t.getIpBlock()).isNull();
                      });
            });
  }

  @Test
  void theEndpointIsServedBehindItsOwnServiceWithItsRbacOnlyWhenEnabled() {
    Manifests off = Chart.render("{}");
    assertThat(off.ofKind("Service"))
        .extracting(d -> Manifests.metadata(d).get("name"))
        .doesNotContain(FULLNAME + "-endpoint");
    assertThat(off.ofKind("ClusterRole"))
        .extracting(d -> Manifests.metadata(d).get("name"))
        .doesNotContain(FULLNAME + "-endpoint");

    Manifests on = Chart.render("config: {endpoint: {enabled: true}}\n");
    Service endpoint = on.get("Service", FULLNAME + "-endpoint", Service.class);
    assertThat(endpoint.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(443);
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("endpoint");
            });
    assertThat(
            on.get("Deployment", FULLNAME, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getPorts())
        .anyMatch(p -> "endpoint".equals(p.getName()) && p.getContainerPort() == 8443);
    ClusterRole role = on.get("ClusterRole", FULLNAME + "-endpoint", ClusterRole.class);
    assertThat(role.getRules())
        .anyMatch(
            r ->
                r.getResources().equals(List.of("subjectaccessreviews"))
                    && r.getVerbs().equals(List.of("create")));
    var config = Chart.operatorConfig(on);
    assertThat(config.endpoint().enabled()).isTrue();
    assertThat(config.endpoint().tls().serviceName()).isEqualTo(FULLNAME + "-endpoint");
  }

  @Test
  void theEndpointsCredentialsForPeopleAreReachedThroughItsServicePortAlone() {
    assertThat(Chart.render("{}").ofKind("Role"))
        .extracting(r -> Manifests.metadata(r).get("name"))
        .doesNotContain(FULLNAME + "-endpoint-credentials");

    Manifests on = Chart.render("config: {endpoint: {enabled: true}}\n");
    String svc = FULLNAME + "-endpoint";
    assertThat(on.get("Service", svc, Service.class).getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getName()).isEqualTo("https"));
    assertGrantsOnlyToEveryAuthenticatedUser(
        on,
        FULLNAME + "-endpoint-credentials",
        "services/proxy",
        // Every spelling of the Service and its port in a proxy path ([scheme:]name[:port]).
        List.of(
            svc, svc + ":https", "https:" + svc + ":https", svc + ":443", "https:" + svc + ":443"),
        List.of("create", "get"));
    // kubectl managedsecret credentials' default --endpoint-service
    assertThat("https:" + svc + ":https").isEqualTo("https:managedsecret-operator-endpoint:https");

    Manifests unbound =
        Chart.render(
            "config: {endpoint: {enabled: true}}\nrbac: {endpointCredentialsSubjects: []}\n");
    assertThat(unbound.ofKind("RoleBinding"))
        .extracting(r -> Manifests.metadata(r).get("name"))
        .doesNotContain(FULLNAME + "-endpoint-credentials");
  }

  @Test
  void readingAValueThroughTheEndpointIsGrantedToEditAndAdminNotToView() {
    Manifests m = Chart.render("{}");
    ClusterRole readwrite = m.get("ClusterRole", "managedsecrets-readwrite", ClusterRole.class);
    ClusterRole view = m.get("ClusterRole", "managedsecrets-view", ClusterRole.class);

    assertThat(readwrite.getRules())
        .anyMatch(
            r ->
                r.getResources().equals(List.of("managedsecrets/value"))
                    && r.getVerbs().containsAll(List.of("get", "update")));
    assertThat(view.getRules())
        .noneMatch(r -> r.getResources().stream().anyMatch(res -> res.endsWith("/value")));
  }

  @Test
  void everyAuthenticatedUserMayReadTheSealingPublicKeysConfigMapAndNothingElse() {
    Manifests m = Chart.render("{}");
    assertGrantsOnlyToEveryAuthenticatedUser(
        m,
        FULLNAME + "-sealing-keys-reader",
        "configmaps",
        List.of("managedsecret-sealing-keys"),
        List.of("get"));
  }

  /**
   * The Role {@code name} of the release's namespace has one rule, {@code verbs} on one object, and
   * its RoleBinding of that name grants it to every authenticated user.
   */
  private static void assertGrantsOnlyToEveryAuthenticatedUser(
      Manifests m, String name, String resource, List<String> objects, List<String> verbs) {
    Role role = m.get("Role", name, Role.class);
    assertThat(role.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(role.getRules())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getApiGroups()).containsExactly("");
              assertThat(r.getResources()).containsExactly(resource);
              assertThat(r.getResourceNames()).isEqualTo(objects);
              assertThat(r.getVerbs()).isEqualTo(verbs);
            });
    RoleBinding binding = m.get("RoleBinding", name, RoleBinding.class);
    assertThat(binding.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(binding.getRoleRef().getName()).isEqualTo(name);
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            subject -> {
              assertThat(subject.getKind()).isEqualTo("Group");
              assertThat(subject.getName()).isEqualTo("system:authenticated");
            });
  }

  @Test
  void theReSealEndpointHasAServiceOfItsOwnAndARoleThatGrantsItsServiceProxyOnly() {
    Manifests m = Chart.render("{}");
    Service service = m.get("Service", FULLNAME + "-reseal", Service.class);
    assertThat(service.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(service.getSpec().getSelector())
        .isEqualTo(deployment(m).getSpec().getSelector().getMatchLabels());
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo(ResealRequest.PORT_NAME);
              assertThat(p.getPort()).isEqualTo(8082);
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("reseal");
            });
    assertThat(FULLNAME + "-reseal").isEqualTo(ResealRequest.SERVICE);
    assertThat(operator(m).getPorts())
        .anyMatch(p -> "reseal".equals(p.getName()) && p.getContainerPort() == 8082);
    assertThat(Chart.operatorConfig(m).sealing().resealPort()).isEqualTo(8082);

    assertGrantsOnlyToEveryAuthenticatedUser(
        m,
        FULLNAME + "-reseal",
        "services/proxy",
        // Every spelling of the Service and its port in a proxy path ([scheme:]name[:port]).
        List.of(
            FULLNAME + "-reseal",
            FULLNAME + "-reseal:reseal",
            "http:" + FULLNAME + "-reseal:reseal",
            FULLNAME + "-reseal:8082",
            "http:" + FULLNAME + "-reseal:8082"),
        List.of("create", "get"));

    Manifests unbound = Chart.render("rbac: {resealSubjects: []}");
    assertThat(unbound.ofKind("Role"))
        .extracting(r -> Manifests.metadata(r).get("name"))
        .contains(FULLNAME + "-reseal");
    assertThat(unbound.ofKind("RoleBinding"))
        .extracting(r -> Manifests.metadata(r).get("name"))
        .doesNotContain(FULLNAME + "-reseal");
    Manifests moved = Chart.render("config: {sealing: {resealPort: 9443}}");
    assertThat(moved.get("Service", FULLNAME + "-reseal", Service.class).getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(9443));
    assertThat(Chart.operatorConfig(moved).sealing().resealPort()).isEqualTo(9443);
  }

  @Test
  void theSealingSettingsReachTheOperatorsConfiguration() {
    Manifests m =
        Chart.render(
            """
            config:
              sealing:
                renewalInterval: P7D
                retiredKeys: [3f2a9c0d1b7e4a55]
                sealedOnlyNamespaceSelector: managedsecrets.dev/sealed-only=true
            """);
    OperatorConfig.SealingSettings sealing = Chart.operatorConfig(m).sealing();
    assertThat(sealing.renewalInterval()).isEqualTo(Duration.ofDays(7));
    assertThat(sealing.retiredKeys()).containsExactly("3f2a9c0d1b7e4a55");
    assertThat(sealing.sealedOnlyNamespaceSelector())
        .isEqualTo("managedsecrets.dev/sealed-only=true");
    assertThat(Chart.operatorConfig(Chart.render("{}")).sealing().renewalInterval())
        .isEqualTo(Duration.ofDays(30));
  }

  /** The rules of a role on ManagedSecretReplicas, as "resource: verbs". */
  private static List<String> replicaRules(List<PolicyRule> rules) {
    List<String> out = new ArrayList<>();
    for (PolicyRule r : rules) {
      for (String resource : r.getResources()) {
        if (resource.startsWith("managedsecretreplicas")) {
          out.add(resource + ": " + String.join(",", r.getVerbs()));
        }
      }
    }
    return out;
  }

  @Test
  void theOperatorGetsItsRightsOnReplicasOnlyWhenItReplicatesOrAcceptsReplicas() {
    Manifests off = Chart.render("{}");
    assertThat(replicaRules(off.get("ClusterRole", FULLNAME, ClusterRole.class).getRules()))
        .isEmpty();
    List<String> operatorRules =
        List.of(
            "managedsecretreplicas: get,list,watch,patch,delete",
            "managedsecretreplicas/status: update",
            "managedsecretreplicas/finalizers: update");
    for (String values :
        List.of(
            "config: {replication: {peers: [{region: eu-west-1, kubeconfigSecret: peer-eu}]}}\n",
            "replication: {acceptFrom: [{kind: User, name: peer-operator}]}\n")) {
      Manifests on = Chart.render(values);
      assertThat(replicaRules(on.get("ClusterRole", FULLNAME, ClusterRole.class).getRules()))
          .as(values)
          .containsExactlyElementsOf(operatorRules);
    }
  }

  @Test
  void onlyThePeerOperatorsOfAcceptFromMayWriteReplicasAndNeverTheirStatus() {
    Manifests none = Chart.render("{}");
    ClusterRole replicator = none.get("ClusterRole", FULLNAME + "-replicator", ClusterRole.class);
    assertThat(replicator.getRules())
        .extracting(r -> r.getApiGroups() + " " + r.getResources() + " " + r.getVerbs())
        .containsExactly(
            "[managedsecrets.dev] [managedsecretreplicas] [get, list, watch, create, update,"
                + " delete]");
    Role keys = none.get("Role", FULLNAME + "-replicator", Role.class);
    assertThat(keys.getRules())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getResources()).containsExactly("configmaps");
              assertThat(r.getResourceNames()).containsExactly("managedsecret-sealing-keys");
              assertThat(r.getVerbs()).containsExactly("get");
            });
    assertThat(none.ofKind("ClusterRoleBinding"))
        .extracting(d -> Manifests.metadata(d).get("name"))
        .as("no binding without acceptFrom")
        .doesNotContain(FULLNAME + "-replicator");
    assertThat(none.ofKind("RoleBinding"))
        .extracting(d -> Manifests.metadata(d).get("name"))
        .doesNotContain(FULLNAME + "-replicator");

    Manifests accepting =
        Chart.render(
            """
            replication:
              acceptFrom:
                - {kind: ServiceAccount, name: replicator, namespace: peers}
                - {kind: User, name: us-east-1-operator}
                - {kind: Group, name: peer-operators}
            """);
    ClusterRoleBinding binding =
        accepting.get("ClusterRoleBinding", FULLNAME + "-replicator", ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(FULLNAME + "-replicator");
    assertThat(binding.getSubjects())
        .extracting(
            x -> x.getKind() + " " + x.getName() + " " + x.getNamespace() + " " + x.getApiGroup())
        .containsExactly(
            "ServiceAccount replicator peers null",
            "User us-east-1-operator null rbac.authorization.k8s.io",
            "Group peer-operators null rbac.authorization.k8s.io");
    RoleBinding keysBinding =
        accepting.get("RoleBinding", FULLNAME + "-replicator", RoleBinding.class);
    assertThat(keysBinding.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(keysBinding.getSubjects()).hasSize(3);

    assertThatThrownBy(
            () ->
                Chart.render(
                    "replication: {acceptFrom: [{kind: ServiceAccount, name: replicator}]}\n"))
        .hasMessageContaining("a ServiceAccount needs its namespace");
    assertThatThrownBy(
            () -> Chart.render("replication: {acceptFrom: [{kind: Robot, name: replicator}]}\n"))
        .hasMessageContaining("values don't meet the specifications of the schema");
  }

  @Test
  void tenantsMayOnlyReadReplicas() {
    Manifests m = Chart.render("rbac: {aggregateToView: true}\n");
    for (String role : List.of("managedsecrets-readwrite", "managedsecrets-view")) {
      assertThat(replicaRules(m.get("ClusterRole", role, ClusterRole.class).getRules()))
          .as(role)
          .containsExactly(
              "managedsecretreplicas: get,list,watch",
              "managedsecretreplicas/status: get,list,watch");
    }
  }

  @Test
  void thePeersReachTheOperatorsConfigurationAndTheirKubeconfigsAreReadableWithPostgres() {
    String peers =
        """
        config:
          region: us-east-1
          replication:
            peers:
              - {region: eu-west-1, kubeconfigSecret: peer-eu}
              - {region: ap-south-1, kubeconfigSecret: peer-ap, namespace: other}
            orphanAfter: PT2H
            requestTimeout: PT5S
        """;
    OperatorConfig.ReplicationSettings replication =
        Chart.operatorConfig(Chart.render(peers)).replication();
    assertThat(replication.peers())
        .containsExactly(
            new OperatorConfig.Peer("eu-west-1", "peer-eu", Chart.NAMESPACE),
            new OperatorConfig.Peer("ap-south-1", "peer-ap", "other"));
    assertThat(replication.orphanAfter()).isEqualTo(Duration.ofHours(2));
    assertThat(replication.requestTimeout()).isEqualTo(Duration.ofSeconds(5));

    Manifests postgres =
        Chart.render(
            peers
                + "  store:\n"
                + "    type: postgres\n"
                + "    jdbcUrl: jdbc:postgresql://db:5432/secrets\n");
    assertThat(postgres.get("Role", FULLNAME, Role.class).getRules())
        .filteredOn(
            r -> r.getVerbs().equals(List.of("get")) && r.getResources().contains("secrets"))
        .singleElement()
        .satisfies(r -> assertThat(r.getResourceNames()).contains("peer-eu", "peer-ap"));

    assertThatThrownBy(
            () -> Chart.render("config: {replication: {peers: [{region: eu-west-1}]}}\n"))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("kubeconfigSecret");
  }

  @Test
  void peerEgressOpensTheNetworkPolicyToThePeersApiServersOnly() {
    Manifests none = Chart.render("networkPolicy: {enabled: true}\n");
    assertThat(none.get("NetworkPolicy", FULLNAME, NetworkPolicy.class).getSpec().getEgress())
        .hasSize(1);

    Manifests m =
        Chart.render(
            """
            networkPolicy: {enabled: true}
            replication:
              peerEgress:
                - {cidr: 203.0.113.10/32, port: 443}
                - {cidr: 198.51.100.0/24, port: 6443}
            """);
    assertThat(m.get("NetworkPolicy", FULLNAME, NetworkPolicy.class).getSpec().getEgress())
        .hasSize(3)
        .satisfies(
            e -> {
              assertThat(e.get(1).getPorts())
                  .extracting(p -> p.getPort().getIntVal() + "/" + p.getProtocol())
                  .containsExactly("443/TCP");
              assertThat(e.get(1).getTo())
                  .singleElement()
                  .satisfies(
                      t -> assertThat(t.getIpBlock().getCidr()).isEqualTo("203.0.113.10/32"));
              assertThat(e.get(2).getPorts())
                  .extracting(p -> p.getPort().getIntVal())
                  .containsExactly(6443);
              assertThat(e.get(2).getTo())
                  .singleElement()
                  .satisfies(
                      t -> assertThat(t.getIpBlock().getCidr()).isEqualTo("198.51.100.0/24"));
            });
  }
}
