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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.operator.store.StoreStartupException;
import dev.managedsecrets.operator.store.TestPostgres;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real operator with {@code store.type: postgres}, against the in-process API server and a real
 * PostgreSQL server that the test stops and starts again.
 */
class PostgresOperatorIT {

  private static final String CREDENTIALS = "managedsecret-postgres";

  static TestPostgres postgres;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    postgres = TestPostgres.start();
    cluster = TestCluster.withoutOperator();
    createCredentials(cluster, TestPostgres.USER, TestPostgres.PASSWORD);
    cluster.configure = usePostgres(postgres);
    cluster.startOperator();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    postgres.close();
  }

  @Test
  void aChangeMadeWhileTheDatabaseIsDownWaitsAndConvergesWhenItReturns() throws SQLException {
    create(cluster.client, managedSecret("default", "orders", s -> s.secretString = "one"));
    String first = awaitSynced(cluster.client, "default", "orders").getStatus().versionId;
    Secret projected = secret(cluster.client, "default", "orders");
    assertThat(text(projected)).containsEntry("secretString", "one");
    // The versions live in PostgreSQL, not in Secrets of the operator's namespace.
    assertThat(storedVersions(postgres, "default", "default/orders")).containsExactly(first);
    assertThat(
            cluster
                .client
                .secrets()
                .inNamespace(TestCluster.OPERATOR_NAMESPACE)
                .withLabel("managedsecrets.dev/store")
                .list()
                .getItems())
        .isEmpty();

    postgres.stop();
    edit(cluster.client, "default", "orders", s -> s.secretString = "two");

    ManagedSecret waiting =
        awaitReady(cluster.client, "default", "orders", "False", "InternalServiceError");
    assertThat(waiting.getStatus().versionId).isEqualTo(first);
    Secret during = secret(cluster.client, "default", "orders");
    assertThat(text(during)).containsEntry("secretString", "one");
    assertThat(during.getMetadata().getResourceVersion())
        .isEqualTo(projected.getMetadata().getResourceVersion());

    postgres.restart();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !first.equals(get(cluster.client, "default", "orders").getStatus().versionId));
    ManagedSecret converged = awaitSynced(cluster.client, "default", "orders");
    String second = converged.getStatus().versionId;
    assertThat(converged.getStatus().versionIdsToStages)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(second, List.of("AWSCURRENT"), first, List.of("AWSPREVIOUS")));
    assertThat(text(secret(cluster.client, "default", "orders")))
        .containsEntry("secretString", "two");
    assertThat(storedVersions(postgres, "default", "default/orders"))
        .containsExactly(first, second);
  }

  @Test
  void aMissingCredentialsSecretStopsTheStartWithAClearMessage() {
    try (TestCluster other = TestCluster.withoutOperator()) {
      other.configure = usePostgres(postgres);

      assertThatThrownBy(other::startOperator)
          .isInstanceOf(StoreStartupException.class)
          .hasMessage(
              "Secret managedsecret-system/managedsecret-postgres (store.credentialsSecret) does"
                  + " not exist: create it with keys username and password");
    }
  }

  @Test
  void wrongCredentialsStopTheStartWithAClearMessage() {
    try (TestCluster other = TestCluster.withoutOperator()) {
      createCredentials(other, TestPostgres.USER, "not-the-password");
      other.configure = usePostgres(postgres);

      assertThatThrownBy(other::startOperator)
          .isInstanceOf(StoreStartupException.class)
          .hasMessageContaining("refused the login of user " + TestPostgres.USER)
          .hasMessageContaining(
              "check username and password in Secret managedsecret-system/managedsecret-postgres")
          .hasMessageNotContaining("not-the-password");
    }
  }

  // ---- helpers ----

  static Map<String, String> usePostgres(TestPostgres postgres) {
    return Map.of(
        "MANAGEDSECRET_STORE_TYPE",
        "postgres",
        "MANAGEDSECRET_STORE_JDBC_URL",
        postgres.jdbcUrl() + "?sslmode=disable",
        "MANAGEDSECRET_STORE_CREDENTIALS_SECRET",
        CREDENTIALS,
        "MANAGEDSECRET_STORE_CONNECTION_TIMEOUT",
        "PT2S",
        // the test's server runs on this host, without TLS
        "MANAGEDSECRET_STORE_ALLOW_PLAINTEXT",
        "true");
  }

  static void createCredentials(TestCluster on, String username, String password) {
    on.client
        .secrets()
        .inNamespace(TestCluster.OPERATOR_NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(CREDENTIALS)
                .endMetadata()
                .addToData("username", Fixtures.b64(username))
                .addToData("password", Fixtures.b64(password))
                .build())
        .create();
  }

  /** The version ids stored for a secret (by namespace and Secrets Manager name), oldest first. */
  static List<String> storedVersions(TestPostgres postgres, String namespace, String name)
      throws SQLException {
    try (Connection c = postgres.superuser(TestPostgres.DATABASE);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT version_id FROM managedsecret.secret_version WHERE namespace = ?"
                    + " AND name = ? ORDER BY position")) {
      ps.setString(1, namespace);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
          out.add(rs.getString(1));
        }
        return out;
      }
    }
  }
}
