package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * An operator that watches some namespaces only serves the endpoint there: a namespace it does not
 * watch takes no secret (one made there would never be reconciled), and is answered as the
 * operator's own namespace is, before anything is looked up.
 */
class EndpointWatchedNamespacesIT {

  static final List<String> VERBS = List.of("get", "list", "create", "update", "patch", "delete");
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start(Map.of("MANAGEDSECRET_WATCH_NAMESPACES", "team-a"));
    for (String ns : List.of("team-a", "team-b")) {
      EndpointClients.serviceAccount(cluster, ns, "app");
      EndpointClients.grant(
          cluster,
          ns,
          "app",
          "manages-secrets",
          List.of("managedsecrets", "managedsecrets/value"),
          VERBS.toArray(String[]::new));
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static SecretsManagerClient client(String namespace) {
    return EndpointClients.client(
        cluster, EndpointClients.serviceAccount(cluster, namespace, "app"));
  }

  static List<ManagedSecret> in(String namespace) {
    return cluster.client.resources(ManagedSecret.class).inNamespace(namespace).list().getItems();
  }

  @Test
  void aWatchedNamespaceIsServed() {
    try (SecretsManagerClient sm = client("team-a")) {
      sm.createSecret(r -> r.name("served/here").secretString("v"));

      assertThat(in("team-a")).hasSize(1);
      assertThat(sm.getSecretValue(r -> r.secretId("served/here")).secretString()).isEqualTo("v");
    }
  }

  @Test
  void aNamespaceTheOperatorDoesNotWatchTakesNoSecretAndFindsNone() {
    try (SecretsManagerClient sm = client("team-b")) {
      SecretsManagerException create =
          catchThrowableOfType(
              SecretsManagerException.class,
              () -> sm.createSecret(r -> r.name("never/reconciled").secretString("v")));
      SecretsManagerException get =
          catchThrowableOfType(
              SecretsManagerException.class,
              () -> sm.getSecretValue(r -> r.secretId("never/reconciled")));

      assertThat(create.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(create.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: system:serviceaccount:team-b:app is not authorized to perform:"
                  + " secretsmanager:CreateSecret on resource: never/reconciled because the operator"
                  + " does not serve this namespace (it watches other namespaces only)");
      assertThat(get.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
      assertThat(sm.listSecrets().secretList()).isEmpty();
      assertThat(in("team-b")).isEmpty();
    }
  }
}
