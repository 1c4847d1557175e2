package dev.managedsecrets.operator.store;

import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.config.StoreConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the store that the configuration's {@code store} section names. */
public final class SecretStores {

  private static final Logger LOG = LoggerFactory.getLogger(SecretStores.class);

  static final String USERNAME_KEY = "username";
  static final String PASSWORD_KEY = "password";

  private SecretStores() {}

  /**
   * Opens the configured store; for postgres, reads the login from the credentials Secret in the
   * operator's namespace, connects and migrates the schema.
   *
   * @throws StoreStartupException with a one-line message when the store cannot be used
   */
  public static SecretStore open(KubernetesClient client, OperatorConfig config) {
    StoreConfig store = config.store();
    if (store.type() != StoreConfig.Type.POSTGRES) {
      LOG.info("Store: kubernetes, Secrets in namespace {}", config.namespace());
      KubernetesSecretStore kubernetes = new KubernetesSecretStore(client, config.namespace());
      int labelled = kubernetes.labelRecordsByNamespace();
      if (labelled > 0) {
        LOG.info("Labelled {} records of the store with their namespace", labelled);
      }
      return kubernetes;
    }
    String source = "Secret " + config.namespace() + "/" + store.credentialsSecret();
    Map<String, String> login = credentials(client, config.namespace(), store.credentialsSecret());
    PostgresSecretStore opened =
        PostgresStoreStartup.open(
            new PostgresStoreStartup.Settings(
                store.jdbcUrl(),
                login.get(USERNAME_KEY),
                login.getOrDefault(PASSWORD_KEY, ""),
                store.schema(),
                store.maxPoolSize(),
                store.connectionTimeout(),
                source));
    LOG.info(
        "Store: postgres at {}, schema {} version {}, login from {}",
        PostgresStoreStartup.location(store.jdbcUrl()),
        store.schema(),
        opened.schemaVersion(),
        source);
    if (store.plaintextPossible()) {
      LOG.warn(
          "store.jdbcUrl sets {}: the connection to PostgreSQL {} without TLS, and the store's"
              + " records and the login then cross the network in plain text. Set"
              + " sslmode=verify-full and sslrootcert=<CA file> unless the server is on this host",
          store.sslmode() == null
              ? "no sslmode (the driver's default, prefer)"
              : "sslmode=" + store.sslmode(),
          "disable".equals(store.sslmode()) ? "is" : "may be");
    }
    return opened;
  }

  private static Map<String, String> credentials(
      KubernetesClient client, String namespace, String name) {
    String where = "Secret " + namespace + "/" + name + " (store.credentialsSecret)";
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw fail("Could not read " + where + ": the Kubernetes API answered " + e.getCode(), e);
    }
    if (secret == null) {
      throw fail(
          where + " does not exist: create it with keys " + USERNAME_KEY + " and " + PASSWORD_KEY,
          null);
    }
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    String username = decode(data.get(USERNAME_KEY));
    if (username == null || username.isBlank()) {
      throw fail(where + " has no key " + USERNAME_KEY, null);
    }
    String password = decode(data.get(PASSWORD_KEY));
    return password == null
        ? Map.of(USERNAME_KEY, username.trim())
        : Map.of(USERNAME_KEY, username.trim(), PASSWORD_KEY, password);
  }

  private static String decode(String base64) {
    return base64 == null
        ? null
        : new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  private static StoreStartupException fail(String message, Throwable cause) {
    LOG.error(message);
    return new StoreStartupException(message, cause);
  }
}
