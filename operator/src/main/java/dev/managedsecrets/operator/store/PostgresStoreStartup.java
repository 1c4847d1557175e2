package dev.managedsecrets.operator.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the {@link PostgresSecretStore}: makes the Hikari connection pool from the store's {@link
 * Settings}, makes a first connection, and creates or migrates the schema with Flyway from {@code
 * db/migration}, refusing a schema from a newer operator. When the store cannot be used, the
 * failure is one line that says what to check, logged and thrown as {@link StoreStartupException}.
 */
public final class PostgresStoreStartup {

  // The store's startup lines keep the logger they have always had.
  private static final Logger LOG = LoggerFactory.getLogger(PostgresSecretStore.class);

  /** Shown in pg_stat_activity, so a DBA can tell the operator's sessions apart. */
  public static final String APPLICATION_NAME = "managedsecret-operator";

  static final String MIGRATIONS = "classpath:db/migration";

  /**
   * What the store needs to connect. {@code credentialsSource} names where the login came from
   * (e.g. a Secret), for error messages; the password is never printed.
   */
  public record Settings(
      String jdbcUrl,
      String username,
      String password,
      String schema,
      int maxPoolSize,
      Duration connectionTimeout,
      String credentialsSource) {

    @Override
    public String toString() {
      return "Settings[" + location(jdbcUrl) + ", user " + username + ", schema " + schema + "]";
    }
  }

  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private PostgresStoreStartup() {}

  /**
   * Connects, creates or migrates the schema, and refuses a schema from a newer operator.
   *
   * @throws StoreStartupException with a one-line message that says what to check
   */
  public static PostgresSecretStore open(Settings settings) {
    if (settings.schema() == null || !SCHEMA.matcher(settings.schema()).matches()) {
      throw new IllegalArgumentException(
          "schema must be 1-63 of [a-z0-9_], not starting with a digit; it is "
              + settings.schema());
    }
    HikariDataSource dataSource = new HikariDataSource(poolConfig(settings));
    try {
      checkConnection(dataSource, settings);
      String version = migrate(dataSource, settings);
      return new PostgresSecretStore(dataSource, version, settings.schema());
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  static HikariConfig poolConfig(Settings settings) {
    long timeoutMs = settings.connectionTimeout().toMillis();
    String seconds = Long.toString(Math.max(1, settings.connectionTimeout().toSeconds()));
    HikariConfig config = new HikariConfig();
    config.setPoolName("managedsecret-store");
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.username());
    config.setPassword(settings.password());
    config.setAutoCommit(false);
    config.setMaximumPoolSize(settings.maxPoolSize());
    config.setMinimumIdle(1);
    config.setConnectionTimeout(timeoutMs);
    config.setValidationTimeout(Math.max(250, Math.min(5000, timeoutMs / 2)));
    // The first connection is made by open(), which turns a failure into a clear message.
    config.setInitializationFailTimeout(-1);
    // Parameters given in the JDBC URL take precedence over these.
    config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
    config.addDataSourceProperty("connectTimeout", seconds);
    config.addDataSourceProperty("loginTimeout", seconds);
    config.addDataSourceProperty("socketTimeout", "60");
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    // Server error details can quote row values: keep them out of exception messages and logs.
    config.addDataSourceProperty("logServerErrorDetail", "false");
    return config;
  }

  private static void checkConnection(HikariDataSource dataSource, Settings settings) {
    try (Connection c = dataSource.getConnection()) {
      c.rollback();
    } catch (SQLException e) {
      throw startupFailure(connectionProblem(settings, e), e);
    }
  }

  private static String connectionProblem(Settings settings, SQLException e) {
    String where = location(settings.jdbcUrl());
    String state = PostgresSecretStore.sqlState(e);
    if (state != null && state.startsWith("28")) {
      return "PostgreSQL at "
          + where
          + " refused the login of user "
          + settings.username()
          + " (SQLState "
          + state
          + "): check username and password in "
          + settings.credentialsSource();
    }
    if ("3D000".equals(state)) {
      return "The database of "
          + where
          + " does not exist (SQLState 3D000): create it, or correct store.jdbcUrl";
    }
    if (state != null && !state.startsWith("08")) {
      return "PostgreSQL at "
          + where
          + " refused the connection (SQLState "
          + state
          + "): "
          + driverMessage(e);
    }
    return "Cannot connect to PostgreSQL at "
        + where
        + ": "
        + driverMessage(e)
        + "; check store.jdbcUrl and that the server is running and reachable";
  }

  /** The most specific message of the driver, on one line. */
  private static String driverMessage(SQLException e) {
    Throwable chosen = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (!(t instanceof SQLTransientConnectionException) && t.getMessage() != null) {
        chosen = t;
        break;
      }
    }
    String message = chosen.getMessage() == null ? chosen.toString() : chosen.getMessage();
    return message.lines().findFirst().orElse("").trim();
  }

  private static String migrate(HikariDataSource dataSource, Settings settings) {
    String where = location(settings.jdbcUrl()) + ", schema " + settings.schema();
    Flyway flyway =
        Flyway.configure(PostgresSecretStore.class.getClassLoader())
            .dataSource(dataSource)
            .locations(MIGRATIONS)
            .schemas(settings.schema())
            .defaultSchema(settings.schema())
            .createSchemas(true)
            .load();
    try {
      MigrationInfoService info = flyway.info();
      MigrationVersion known = newestKnown(info);
      MigrationInfo current = info.current();
      if (current != null
          && current.getVersion() != null
          && current.getVersion().compareTo(known) > 0) {
        throw startupFailure(
            "The PostgreSQL store at "
                + where
                + " has schema version "
                + current.getVersion()
                + ", newer than the version this operator knows ("
                + known
                + "): run an operator release that knows schema version "
                + current.getVersion()
                + ", or restore the database from a backup taken before the upgrade",
            null);
      }
      MigrateResult result = flyway.migrate();
      String version = result.targetSchemaVersion;
      if (version == null) {
        version = current == null ? known.toString() : current.getVersion().toString();
      }
      if (result.migrationsExecuted > 0) {
        LOG.info(
            "PostgreSQL store at {}: schema migrated from version {} to {} ({} migration(s) applied)",
            where,
            result.initialSchemaVersion == null ? "none" : result.initialSchemaVersion,
            version,
            result.migrationsExecuted);
      } else {
        LOG.info("PostgreSQL store at {}: schema at version {}", where, version);
      }
      return version;
    } catch (FlywayException e) {
      throw startupFailure(
          "The PostgreSQL store at "
              + where
              + " could not be migrated: "
              + e.getMessage().lines().filter(l -> !l.isBlank()).findFirst().orElse("").trim(),
          e);
    }
  }

  private static MigrationVersion newestKnown(MigrationInfoService info) {
    MigrationVersion newest = MigrationVersion.EMPTY;
    for (MigrationInfo m : info.all()) {
      if (m.getState().isResolved()
          && m.getVersion() != null
          && m.getVersion().compareTo(newest) > 0) {
        newest = m.getVersion();
      }
    }
    return newest;
  }

  private static StoreStartupException startupFailure(String message, Throwable cause) {
    LOG.error(message);
    return new StoreStartupException(message, cause);
  }

  /** The JDBC URL without its parameters: host, port and database, for messages. */
  static String location(String jdbcUrl) {
    if (jdbcUrl == null) {
      return "(no URL)";
    }
    int q = jdbcUrl.indexOf('?');
    return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
  }
}
