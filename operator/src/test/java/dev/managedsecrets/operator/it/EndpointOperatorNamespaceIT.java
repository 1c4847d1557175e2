package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * The operator's own namespace takes no secret through the endpoint (unless
 * allowOperatorNamespace): a call that would make, read or change one there, by name or by ARN, is
 * answered as for a secret that is not there, before anything is looked up. A secret made there
 * while it was allowed is out of reach once it is not.
 */
class EndpointOperatorNamespaceIT {

  static final String NS = TestCluster.OPERATOR_NAMESPACE;
  static final String NOT_FOUND = "Secrets Manager can't find the specified secret.";

  static TestCluster cluster;
  static String keptArn;

  @BeforeAll
  static void start() {
    cluster = TestCluster.withoutOperator();
    try {
      Map<String, String> allowed = new HashMap<>(EndpointClients.CONFIG);
      allowed.put("MANAGEDSECRET_ALLOW_OPERATOR_NAMESPACE", "true");
      cluster.configure = allowed;
      cluster.startOperator();
      cluster
          .client
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withNamespace(NS)
                  .withName("ops-admin")
                  .endMetadata()
                  .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                  .addNewSubject()
                  .withKind("ServiceAccount")
                  .withName("ops")
                  .withNamespace(NS)
                  .endSubject()
                  .build())
          .create();
      try (SecretsManagerClient ops = ops()) {
        keptArn = ops.createSecret(r -> r.name("ops/kept").secretString("kept-value")).arn();
        Fixtures.awaitSynced(
            cluster.client,
            NS,
            cluster
                .client
                .resources(ManagedSecret.class)
                .inNamespace(NS)
                .list()
                .getItems()
                .get(0)
                .getMetadata()
                .getName());
      }
      cluster.stopOperator();
      cluster.configure = EndpointClients.CONFIG;
      cluster.startOperator();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** A client of the ServiceAccount ops of the operator's namespace, cluster-admin there. */
  static SecretsManagerClient ops() {
    return EndpointClients.client(cluster, EndpointClients.serviceAccount(cluster, NS, "ops"));
  }

  static SecretsManagerException refusal(Runnable call) {
    return catchThrowableOfType(SecretsManagerException.class, call::run);
  }

  /**
   * The endpoint's requests (its User-Agent) since the last look, but the SubjectAccessReviews that
   * authorise each call.
   */
  static List<String> lookups() {
    return cluster.drainRequests().stream()
        .filter(r -> r.userAgent() != null && r.userAgent().startsWith("secretsmanager-endpoint/"))
        .map(r -> r.method() + " " + r.path())
        .filter(r -> !r.endsWith("/subjectaccessreviews"))
        .toList();
  }

  static String state() {
    return cluster.client.resources(ManagedSecret.class).inNamespace(NS).list().getItems().stream()
        .map(ms -> ms.getMetadata().getName() + "@" + ms.getMetadata().getGeneration())
        .toList()
        .toString();
  }

  @Test
  void byNameNothingThereIsMadeReadOrChangedAndNothingIsLookedUp() {
    try (SecretsManagerClient ops = ops()) {
      String before = state();
      lookups();

      SecretsManagerException create =
          refusal(() -> ops.createSecret(r -> r.name("ops/new").secretString("new-value")));
      SecretsManagerException get = refusal(() -> ops.getSecretValue(r -> r.secretId("ops/kept")));
      SecretsManagerException missing =
          refusal(() -> ops.getSecretValue(r -> r.secretId("ops/none")));
      SecretsManagerException put =
          refusal(() -> ops.putSecretValue(r -> r.secretId("ops/kept").secretString("changed")));
      SecretsManagerException delete = refusal(() -> ops.deleteSecret(r -> r.secretId("ops/kept")));
      List<String> asked = lookups();

      assertThat(create.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(create.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: system:serviceaccount:"
                  + NS
                  + ":ops is not authorized to perform:"
                  + " secretsmanager:CreateSecret on resource: ops/new because the operator's own"
                  + " namespace takes no secrets");
      assertThat(List.of(get, missing, put, delete))
          .allSatisfy(
              e -> {
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
                assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(NOT_FOUND);
              });
      assertThat(asked).isEmpty();
      assertThat(ops.listSecrets().secretList()).isEmpty();
      assertThat(state()).isEqualTo(before);
    }
  }

  @Test
  void byArnASecretThereIsAnsweredAsOneThatIsNotThere() {
    AccessKeys.AccessKey admin = EndpointClients.administrator(cluster);
    try (SecretsManagerClient sm = EndpointClients.client(cluster, admin);
        SecretsManagerClient ops = ops()) {
      String before = state();
      lookups();

      SecretsManagerException byAdmin = refusal(() -> sm.getSecretValue(r -> r.secretId(keptArn)));
      SecretsManagerException described =
          refusal(() -> sm.describeSecret(r -> r.secretId(keptArn)));
      SecretsManagerException byOps = refusal(() -> ops.getSecretValue(r -> r.secretId(keptArn)));
      SecretsManagerException tagged =
          refusal(() -> sm.tagResource(r -> r.secretId(keptArn).tags(t -> t.key("k").value("v"))));

      assertThat(List.of(byAdmin, described, tagged))
          .allSatisfy(
              e -> {
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
                assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(NOT_FOUND);
              });
      // Not allowed in every namespace: as for any ARN that names nothing.
      assertThat(byOps.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(byOps.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: system:serviceaccount:"
                  + NS
                  + ":ops is not authorized to perform: secretsmanager:GetSecretValue on resource: "
                  + keptArn
                  + " because no RBAC rule allows get on managedsecrets/value");
      // An ARN names no namespace: the ManagedSecrets that carry it are listed, and no more.
      assertThat(lookups())
          .allMatch(r -> r.startsWith("GET /apis/managedsecrets.dev/v1alpha1/managedsecrets"));
      assertThat(state()).isEqualTo(before);
    }
  }

  @Test
  void whileAllowedTheNamespaceServedTheSecret() {
    assertThat(keptArn).contains(":secret:ops/kept-");
  }
}
