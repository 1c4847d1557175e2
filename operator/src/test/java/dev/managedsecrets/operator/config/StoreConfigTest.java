package dev.managedsecrets.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreConfigTest {

  private static final String URL = "jdbc:postgresql://db.internal:5432/managedsecret";

  @TempDir Path dir;

  @Test
  void theDefaultStoreIsKubernetes() {
    OperatorConfig config = OperatorConfig.load(null, Map.of());
    assertThat(config.store().type()).isEqualTo(StoreConfig.Type.KUBERNETES);
    assertThat(config.store().credentialsSecret()).isEqualTo("managedsecret-postgres");
    assertThat(config.store().schema()).isEqualTo("managedsecret");
  }

  @Test
  void theFileSelectsPostgresWithEveryField() throws IOException {
    Path file =
        write(
            "store:",
            "  type: postgres",
            "  jdbcUrl: " + URL + "?sslmode=verify-full&sslrootcert=/etc/ca.crt",
            "  credentialsSecret: pg-login",
            "  schema: secrets",
            "  maxPoolSize: 8",
            "  connectionTimeout: PT3S");

    StoreConfig store = OperatorConfig.load(file, Map.of()).store();

    assertThat(store.type()).isEqualTo(StoreConfig.Type.POSTGRES);
    assertThat(store.jdbcUrl()).isEqualTo(URL + "?sslmode=verify-full&sslrootcert=/etc/ca.crt");
    assertThat(store.credentialsSecret()).isEqualTo("pg-login");
    assertThat(store.schema()).isEqualTo("secrets");
    assertThat(store.maxPoolSize()).isEqualTo(8);
    assertThat(store.connectionTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void everyStoreFieldIsOverriddenByTheEnvironment() throws IOException {
    Path file = write("store:", "  type: kubernetes");
    Map<String, String> env =
        Map.of(
            "MANAGEDSECRET_STORE_TYPE", "Postgres",
            "MANAGEDSECRET_STORE_JDBC_URL", URL,
            "MANAGEDSECRET_STORE_CREDENTIALS_SECRET", "from-env",
            "MANAGEDSECRET_STORE_SCHEMA", "env_schema",
            "MANAGEDSECRET_STORE_MAX_POOL_SIZE", "3",
            "MANAGEDSECRET_STORE_CONNECTION_TIMEOUT", "PT10S");

    StoreConfig store = OperatorConfig.load(file, env).store();

    assertThat(store.type()).isEqualTo(StoreConfig.Type.POSTGRES);
    assertThat(store.jdbcUrl()).isEqualTo(URL);
    assertThat(store.credentialsSecret()).isEqualTo("from-env");
    assertThat(store.schema()).isEqualTo("env_schema");
    assertThat(store.maxPoolSize()).isEqualTo(3);
    assertThat(store.connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void anUnknownStoreTypeIsRefused() {
    assertThatThrownBy(() -> OperatorConfig.load(null, Map.of("MANAGEDSECRET_STORE_TYPE", "mysql")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("store.type must be kubernetes or postgres; it is mysql");
  }

  @Test
  void anUnknownFieldOfTheStoreSectionIsRefused() throws IOException {
    Path file = write("store:", "  type: postgres", "  jdbcURL: " + URL);
    assertThatThrownBy(() -> OperatorConfig.load(file, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbcURL");
  }

  @Test
  void postgresNeedsAJdbcUrl() {
    assertThatThrownBy(
            () -> OperatorConfig.load(null, Map.of("MANAGEDSECRET_STORE_TYPE", "postgres")))
        .hasMessage("store.jdbcUrl is required when store.type is postgres");
    assertThatThrownBy(() -> load(Map.of("MANAGEDSECRET_STORE_JDBC_URL", "jdbc:mysql://x/y")))
        .hasMessageStartingWith("store.jdbcUrl must start with jdbc:postgresql:");
  }

  @Test
  void aPasswordInTheJdbcUrlIsRefusedWithoutRepeatingIt() {
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "MANAGEDSECRET_STORE_JDBC_URL",
                        URL + "?user=ms&password=hunter2&sslmode=require")))
        .hasMessage(
            "store.jdbcUrl must not carry a password: put it in the Secret named by"
                + " store.credentialsSecret")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> load(Map.of("MANAGEDSECRET_STORE_SCHEMA", "Bad-Schema")))
        .hasMessageStartingWith("store.schema must be");
    assertThatThrownBy(() -> load(Map.of("MANAGEDSECRET_STORE_MAX_POOL_SIZE", "0")))
        .hasMessageStartingWith("store.maxPoolSize must be between 1 and 100");
    assertThatThrownBy(() -> load(Map.of("MANAGEDSECRET_STORE_MAX_POOL_SIZE", "many")))
        .hasMessage("store.maxPoolSize must be a number; it is many");
    assertThatThrownBy(() -> load(Map.of("MANAGEDSECRET_STORE_CONNECTION_TIMEOUT", "PT0.1S")))
        .hasMessage("store.connectionTimeout must be at least 250ms");
    assertThatThrownBy(() -> load(Map.of("MANAGEDSECRET_STORE_CREDENTIALS_SECRET", " ")))
        .hasMessage("store.credentialsSecret is required when store.type is postgres");
  }

  @Test
  void aPlaintextConnectionToPostgresIsRefusedUnlessAllowed() {
    for (String mode : new String[] {"disable", "allow", "DISABLE"}) {
      assertThatThrownBy(
              () -> load(Map.of("MANAGEDSECRET_STORE_JDBC_URL", URL + "?sslmode=" + mode)))
          .as("sslmode=%s", mode)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("store.jdbcUrl sets sslmode=" + mode.toLowerCase(Locale.ROOT))
          .hasMessageContaining("store.allowPlaintext: true");
    }
    StoreConfig allowed =
        load(Map.of(
                "MANAGEDSECRET_STORE_JDBC_URL",
                URL + "?ApplicationName=x&sslmode=disable",
                "MANAGEDSECRET_STORE_ALLOW_PLAINTEXT",
                "true"))
            .store();
    assertThat(allowed.allowPlaintext()).isTrue();
    assertThat(allowed.sslmode()).isEqualTo("disable");
    assertThat(allowed.plaintextPossible()).isTrue();
  }

  @Test
  void verifiedTlsIsAcceptedAndNoSslmodeMayBePlaintext() {
    StoreConfig verified =
        load(Map.of("MANAGEDSECRET_STORE_JDBC_URL", URL + "?sslmode=verify-full&sslrootcert=/ca"))
            .store();
    assertThat(verified.plaintextPossible()).isFalse();
    assertThat(load(Map.of()).store().plaintextPossible())
        .as("no sslmode: the driver's prefer falls back to plain text")
        .isTrue();
  }

  @Test
  void theKubernetesStoreIgnoresThePostgresFields() {
    OperatorConfig config =
        OperatorConfig.load(null, Map.of("MANAGEDSECRET_STORE_MAX_POOL_SIZE", "0"));
    assertThat(config.store().type()).isEqualTo(StoreConfig.Type.KUBERNETES);
  }

  /** Loads a postgres configuration with a valid URL, changed by {@code extra}. */
  private static OperatorConfig load(Map<String, String> extra) {
    Map<String, String> env =
        new HashMap<>(
            Map.of("MANAGEDSECRET_STORE_TYPE", "postgres", "MANAGEDSECRET_STORE_JDBC_URL", URL));
    env.putAll(extra);
    return OperatorConfig.load(null, env);
  }

  private Path write(String... lines) throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }
}
