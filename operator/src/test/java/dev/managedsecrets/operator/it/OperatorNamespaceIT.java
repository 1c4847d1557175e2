package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.condition;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.SecretSource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's own namespace is no tenant's: ManagedSecrets there are refused unless the
 * configuration allows them, and the operator's own Secrets (its keyring, the objects of its store,
 * its store's credentials) and service account tokens are never a value source, in any namespace,
 * whatever the configuration. Nothing of them reaches a projected Secret or a message.
 */
class OperatorNamespaceIT {

  private static final String OPERATOR_NS = TestCluster.OPERATOR_NAMESPACE;

  /** The operator with the defaults: its namespace is not allowed. */
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aManagedSecretInTheOperatorsNamespaceIsRefusedAndProjectsNothing() {
    create(cluster.client, fromSecret(OPERATOR_NS, "steal-root-key", "managedsecret-keyring"));
    create(cluster.client, managedSecret(OPERATOR_NS, "plain", s -> s.secretString = "v"));

    for (String name : new String[] {"steal-root-key", "plain"}) {
      ManagedSecret refused =
          awaitReady(cluster.client, OPERATOR_NS, name, "False", "AccessDeniedException");
      assertThat(ready(refused).getMessage())
          .isEqualTo(
              "ManagedSecret "
                  + name
                  + " is in namespace managedsecret-system, the operator's own, where its store,"
                  + " keyring and credentials live: ManagedSecrets there are refused. Create it in"
                  + " another namespace, or set allowOperatorNamespace: true in the operator's"
                  + " configuration.");
      assertThat(condition(refused, "Stalled").getStatus()).isEqualTo("True");
      assertThat(refused.getStatus().arn).as("nothing stored").isNull();
      assertThat(secret(cluster.client, OPERATOR_NS, name)).as("nothing projected").isNull();
    }
  }

  @Test
  void theOperatorsOwnSecretsAndServiceAccountTokensAreNoValueSourceInATenantsNamespace() {
    Secret keyring = secret(cluster.client, OPERATOR_NS, "managedsecret-keyring");
    List<Map.Entry<String, Secret>> copies =
        List.of(
            Map.entry("the operator's keyring", copy(keyring, "keyring-copy")),
            Map.entry(
                "the operator's keyring",
                opaque(
                    "managedsecret-keyring", Map.of("root.key", Fixtures.b64("not-the-root-key")))),
            Map.entry("an object of the operator's store", storeObject("store-copy")),
            Map.entry(
                "the operator's store credentials (store.credentialsSecret)",
                opaque("managedsecret-postgres", Map.of("password", Fixtures.b64("db-password")))),
            Map.entry("a service account token", token("builder-token")));
    int i = 0;
    for (Map.Entry<String, Secret> e : copies) {
      String source = e.getValue().getMetadata().getName();
      cluster.client.secrets().inNamespace("team-a").resource(e.getValue()).create();
      String name = "source-" + i++;
      create(cluster.client, fromSecret("team-a", name, source));

      ManagedSecret refused =
          awaitReady(cluster.client, "team-a", name, "False", "AccessDeniedException");
      assertThat(ready(refused).getMessage())
          .isEqualTo(
              "Secret "
                  + source
                  + " in namespace team-a is "
                  + e.getKey()
                  + ": the operator never reads it as a value (fromSecret). Name a Secret of your"
                  + " own.");
      assertThat(refused.getStatus().versionId).as("no version stored").isNull();
      assertThat(secret(cluster.client, "team-a", name)).as("nothing projected").isNull();
    }
    // A Secret of the tenant's own is read as ever.
    cluster
        .client
        .secrets()
        .inNamespace("team-a")
        .resource(opaque("app-source", Map.of("user", Fixtures.b64("app"))))
        .create();
    create(cluster.client, fromSecret("team-a", "own-source", "app-source"));
    awaitSynced(cluster.client, "team-a", "own-source");
  }

  @Test
  void withTheOperatorsNamespaceAllowedItsOwnSecretsAreStillNoValueSource() {
    try (TestCluster allowed = TestCluster.withoutOperator()) {
      allowed.configure = Map.of("MANAGEDSECRET_ALLOW_OPERATOR_NAMESPACE", "true");
      allowed.startOperator();
      create(allowed.client, managedSecret(OPERATOR_NS, "plain", s -> s.secretString = "v"));
      awaitSynced(allowed.client, OPERATOR_NS, "plain");
      assertThat(secret(allowed.client, OPERATOR_NS, "plain")).as("projected").isNotNull();
      String record =
          allowed
              .client
              .secrets()
              .inNamespace(OPERATOR_NS)
              .withLabel("managedsecrets.dev/store", "record")
              .list()
              .getItems()
              .get(0)
              .getMetadata()
              .getName();
      allowed.client.secrets().inNamespace(OPERATOR_NS).resource(token("operator-token")).create();
      Map<String, String> sources =
          Map.of(
              "managedsecret-keyring",
              "the operator's keyring",
              record,
              "an object of the operator's store",
              "operator-token",
              "a service account token");

      int i = 0;
      for (Map.Entry<String, String> e : sources.entrySet()) {
        String name = "source-" + i++;
        create(allowed.client, fromSecret(OPERATOR_NS, name, e.getKey()));

        ManagedSecret refused =
            awaitReady(allowed.client, OPERATOR_NS, name, "False", "AccessDeniedException");
        assertThat(ready(refused).getMessage())
            .isEqualTo(
                "Secret "
                    + e.getKey()
                    + " in namespace managedsecret-system is "
                    + e.getValue()
                    + ": the operator never reads it as a value (fromSecret). Name a Secret of"
                    + " your own.");
        assertThat(secret(allowed.client, OPERATOR_NS, name)).as("nothing projected").isNull();
      }
    }
  }

  private static ManagedSecret fromSecret(String namespace, String name, String source) {
    return managedSecret(
        namespace,
        name,
        s -> {
          s.fromSecret = new SecretSource();
          s.fromSecret.name = source;
        });
  }

  private static Secret opaque(String name, Map<String, String> data) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withData(data)
        .build();
  }

  /** The keyring's data and type under another name, as a backup restored elsewhere would be. */
  private static Secret copy(Secret keyring, String name) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withType(keyring.getType())
        .withData(keyring.getData())
        .build();
  }

  /** An Opaque Secret that carries the store's label, as a restored store object would. */
  private static Secret storeObject(String name) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("managedsecrets.dev/store", "record")
        .endMetadata()
        .withData(Map.of("record.json", Fixtures.b64("{}")))
        .build();
  }

  private static Secret token(String name) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .addToAnnotations("kubernetes.io/service-account.name", "default")
        .endMetadata()
        .withType("kubernetes.io/service-account-token")
        .withData(Map.of("token", Fixtures.b64("eyJhbGciOi.not-a-real-token")))
        .build();
  }
}
