package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.condition;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.api.v1alpha1.SecretKeyReference;
import dev.managedsecrets.core.rotation.DatabaseHosts;
import dev.managedsecrets.operator.rotation.PostgresConnector;
import dev.managedsecrets.operator.rotation.PostgresLogin;
import dev.managedsecrets.operator.store.TestCertificates;
import dev.managedsecrets.operator.store.TestPostgres;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The postgres strategies' connections use TLS as the login asks, against a real PostgreSQL with a
 * certificate of a test CA: verify-full with the CA logs in over TLS (and a rotation does, with the
 * CA from a Secret); another CA, another host name, or a server without TLS are refused, never
 * answered by a connection in plaintext.
 */
class PostgresTlsIT {

  static TestPostgres tls;
  static TestPostgres plain;
  static TestCertificates certificates;
  static Path directory;

  static final PostgresConnector.Settings SETTINGS =
      new PostgresConnector.Settings(
          DatabaseHosts.of(List.of("127.0.0.1", "localhost")),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10));

  @BeforeAll
  static void start() throws Exception {
    directory = Files.createTempDirectory("managedsecret-tls");
    certificates = TestCertificates.forAddress("127.0.0.1", directory);
    tls = TestPostgres.startWithTls(certificates.certificate(), certificates.key());
    plain = TestPostgres.start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestPostgres pg : new TestPostgres[] {tls, plain}) {
      if (pg != null) {
        pg.close();
      }
    }
    for (Path f : List.of(certificates.certificate(), certificates.key(), directory)) {
      Files.deleteIfExists(f);
    }
  }

  static PostgresLogin login(TestPostgres pg, String host, PostgresLogin.SslMode mode) {
    return new PostgresLogin(
        host,
        pg.port(),
        TestPostgres.DATABASE,
        TestPostgres.USER,
        TestPostgres.PASSWORD,
        mode,
        null);
  }

  @Test
  void verifyFullWithTheDatabasesCaLogsInOverTls() throws Exception {
    PostgresConnector db = new PostgresConnector(SETTINGS, certificates.caPem());
    try (Connection c =
            db.open(login(tls, "127.0.0.1", PostgresLogin.SslMode.VERIFY_FULL), "the test login");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getBoolean(1)).isTrue();
    }
  }

  @Test
  void anotherCaIsRefusedAsATlsFailure() {
    PostgresConnector db = new PostgresConnector(SETTINGS, TestCertificates.otherCa());
    assertTlsRefused(db, login(tls, "127.0.0.1", PostgresLogin.SslMode.VERIFY_CA));
  }

  @Test
  void theJvmsTrustedCasDoNotTrustATestCa() {
    PostgresConnector db = new PostgresConnector(SETTINGS, null);
    assertTlsRefused(db, login(tls, "127.0.0.1", PostgresLogin.SslMode.VERIFY_FULL));
  }

  @Test
  void verifyFullRefusesACertificateForAnotherHostAndVerifyCaAcceptsIt() throws Exception {
    PostgresConnector db = new PostgresConnector(SETTINGS, certificates.caPem());
    assertTlsRefused(db, login(tls, "localhost", PostgresLogin.SslMode.VERIFY_FULL));
    try (Connection c =
        db.open(login(tls, "localhost", PostgresLogin.SslMode.VERIFY_CA), "the test login")) {
      assertThat(c.isValid(5)).isTrue();
    }
  }

  @Test
  void aServerWithoutTlsIsRefusedWhenTlsIsAskedAndNeverUsedInPlaintext() {
    PostgresConnector db = new PostgresConnector(SETTINGS, certificates.caPem());
    for (PostgresLogin.SslMode mode :
        List.of(
            PostgresLogin.SslMode.REQUIRE,
            PostgresLogin.SslMode.VERIFY_CA,
            PostgresLogin.SslMode.VERIFY_FULL)) {
      assertTlsRefused(db, login(plain, "127.0.0.1", mode));
    }
  }

  @Test
  void aRotationConnectsWithTheCaOfASecretInTheNamespace() throws Exception {
    try (TestCluster cluster = TestCluster.withoutOperator()) {
      cluster.configure = Map.of("MANAGEDSECRET_ROTATION_DATABASE_HOSTS", "127.0.0.1");
      cluster.startOperator();
      cluster
          .client
          .secrets()
          .inNamespace("team-a")
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("db-ca")
                  .endMetadata()
                  .withData(
                      Map.of("ca.crt", Base64.getEncoder().encodeToString(certificates.caPem())))
                  .build())
          .create();
      create(
          cluster.client,
          managedSecret(
              "team-a",
              "tls-login",
              s -> {
                s.data = Map.of("username", "app_tls");
                GenerateSpec password = new GenerateSpec();
                password.excludeCharacters = "/@\"'\\:";
                s.generate = Map.of("password", password);
                s.database = new DatabaseSpec();
                s.database.engine = "postgres";
                s.database.host = "127.0.0.1";
                s.database.port = tls.port();
                s.database.dbname = TestPostgres.DATABASE;
                s.database.caCertificate = new SecretKeyReference();
                s.database.caCertificate.name = "db-ca";
                s.database.caCertificate.key = "ca.crt";
                s.rotation = new RotationSpec();
                s.rotation.automaticallyAfterDays = 30;
                s.rotation.rotateImmediately = false;
                s.rotation.strategy = "postgres-single-user";
              }));
      String first = awaitSynced(cluster.client, "team-a", "tls-login").getStatus().versionId;
      Map<String, String> before = text(secret(cluster.client, "team-a", "tls-login"));
      assertThat(before).doesNotContainKey("sslmode"); // the default, verify-full, is not written
      try (Connection c = tls.superuser(TestPostgres.DATABASE);
          Statement st = c.createStatement()) {
        String literal = c.unwrap(PGConnection.class).escapeLiteral(before.get("password"));
        st.execute("CREATE ROLE app_tls LOGIN PASSWORD '" + literal + "'");
      }

      Fixtures.annotate(
          cluster.client, "team-a", "tls-login", "managedsecrets.dev/rotate-now", "1");
      await()
          .atMost(Fixtures.WAIT)
          .until(
              () -> {
                ManagedSecret ms = get(cluster.client, "team-a", "tls-login");
                return condition(ms, "Rotating") != null
                    && !"True".equals(condition(ms, "Rotating").getStatus())
                    && !first.equals(ms.getStatus().versionId);
              });
      String now = text(secret(cluster.client, "team-a", "tls-login")).get("password");
      assertThat(now).isNotEqualTo(before.get("password"));
      PostgresConnector db = new PostgresConnector(SETTINGS, certificates.caPem());
      PostgresLogin rotated =
          login(tls, "127.0.0.1", PostgresLogin.SslMode.VERIFY_FULL).as("app_tls", now);
      try (Connection c = db.open(rotated, "the rotated login")) {
        assertThat(c.isValid(5)).isTrue();
      }

      // The value moves to the store (no spec.database): spec.rotation.caCertificate gives the CA.
      Fixtures.edit(
          cluster.client,
          "team-a",
          "tls-login",
          s -> {
            s.data = null;
            s.generate = null;
            s.rotation.caCertificate = s.database.caCertificate;
            s.database = null;
            s.valueSource = "Store";
          });
      String second = awaitSynced(cluster.client, "team-a", "tls-login").getStatus().versionId;
      Fixtures.annotate(
          cluster.client, "team-a", "tls-login", "managedsecrets.dev/rotate-now", "2");
      await()
          .atMost(Fixtures.WAIT)
          .until(
              () -> {
                ManagedSecret ms = get(cluster.client, "team-a", "tls-login");
                return condition(ms, "Rotating") != null
                    && "RotationSucceeded".equals(condition(ms, "Rotating").getReason())
                    && !second.equals(ms.getStatus().versionId);
              });
      String third = text(secret(cluster.client, "team-a", "tls-login")).get("password");
      assertThat(third).isNotEqualTo(now);
      try (Connection c = db.open(rotated.as("app_tls", third), "the store-owned login")) {
        assertThat(c.isValid(5)).isTrue();
      }
    }
  }

  private static void assertTlsRefused(PostgresConnector db, PostgresLogin login) {
    assertThatThrownBy(() -> db.open(login, "the test login").close())
        .as(login.sslmode().word() + " to " + login.host())
        .isInstanceOfSatisfying(
            PostgresConnector.LoginFailure.class,
            f -> {
              assertThat(f.why()).isEqualTo(PostgresConnector.Cause.TLS);
              assertThat(f.getMessage())
                  .contains("never falls back")
                  .doesNotContain(TestPostgres.PASSWORD);
            });
  }
}
