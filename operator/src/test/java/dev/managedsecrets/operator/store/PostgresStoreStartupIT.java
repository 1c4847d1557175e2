package dev.managedsecrets.operator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretTag;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Starting on a database that cannot be used stops with one clear line, in the exception and in the
 * log, that names what is wrong; a database without the schema is migrated.
 */
class PostgresStoreStartupIT {

  private static final String SCHEMA = "managedsecret";

  static TestPostgres postgres;
  private ListAppender<ILoggingEvent> log;
  private Level level;

  @BeforeAll
  static void start() {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stop() {
    postgres.close();
  }

  @BeforeEach
  void captureLog() {
    log = new ListAppender<>();
    log.start();
    // Other test classes change logger levels; this one needs INFO whatever ran before.
    level = logger().getLevel();
    logger().setLevel(Level.INFO);
    logger().addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    logger().detachAppender(log);
    logger().setLevel(level);
  }

  @Test
  void wrongCredentialsAreRefusedWithAClearMessage() {
    PostgresStoreStartup.Settings wrong =
        settings(postgres.jdbcUrl(), TestPostgres.USER, "not-the-password");

    String message = refused(wrong);

    assertThat(message)
        .contains("refused the login of user " + TestPostgres.USER)
        .contains("SQLState 28P01")
        .contains("check username and password in the test's login")
        .doesNotContain("not-the-password");
  }

  @Test
  void anUnreachableServerIsRefusedWithAClearMessage() {
    String url = "jdbc:postgresql://127.0.0.1:" + TestPostgres.freePort() + "/managedsecret";

    String message = refused(settings(url, TestPostgres.USER, TestPostgres.PASSWORD));

    assertThat(message)
        .startsWith("Cannot connect to PostgreSQL at " + url)
        .contains("refused")
        .endsWith("check store.jdbcUrl and that the server is running and reachable");
  }

  @Test
  void aServerThatNeverAnswersIsRefusedAfterTheConnectionTimeout() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String url = "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/managedsecret";

      String message = refused(settings(url, TestPostgres.USER, TestPostgres.PASSWORD));

      assertThat(message)
          .startsWith("Cannot connect to PostgreSQL at " + url)
          .endsWith("check store.jdbcUrl and that the server is running and reachable");
    }
  }

  @Test
  void aMissingDatabaseIsRefusedWithAClearMessage() {
    String url = postgres.jdbcUrl("no_such_database");

    String message = refused(settings(url, TestPostgres.USER, TestPostgres.PASSWORD));

    assertThat(message)
        .isEqualTo(
            "The database of "
                + url
                + " does not exist (SQLState 3D000): create it, or correct store.jdbcUrl");
  }

  @Test
  void aDatabaseWithoutTheSchemaIsMigratedOnStart() throws SQLException {
    String url = postgres.jdbcUrl(postgres.createDatabase("empty_database"));
    PostgresStoreStartup.Settings settings =
        settings(url, TestPostgres.USER, TestPostgres.PASSWORD);

    try (PostgresSecretStore store = PostgresStoreStartup.open(settings)) {
      assertThat(store.schemaVersion()).isEqualTo("6");
      SecretId id = new SecretId("default", "migrated");
      store.create(StoredSecret.create(id, "arn", "m", "uid", Instant.now()));
      assertThat(store.find(id)).isPresent();
    }
    assertThat(messages(Level.INFO))
        .containsExactly(
            "PostgreSQL store at "
                + url
                + ", schema managedsecret: schema migrated from version none to 6 (6 migration(s)"
                + " applied)");
    assertThat(tables("empty_database"))
        .containsExactlyInAnyOrder(
            "flyway_schema_history", "secret", "secret_version", "version_envelope");

    // The next start finds the schema in place and keeps the data.
    try (PostgresSecretStore store = PostgresStoreStartup.open(settings)) {
      assertThat(store.find(new SecretId("default", "migrated"))).isPresent();
    }
    assertThat(messages(Level.INFO))
        .last()
        .isEqualTo("PostgreSQL store at " + url + ", schema managedsecret: schema at version 6");
  }

  @Test
  void aSchemaFromANewerOperatorIsRefusedNamingBothVersions() {
    String database = postgres.createDatabase("newer_schema");
    String url = postgres.jdbcUrl(database);
    PostgresStoreStartup.Settings settings =
        settings(url, TestPostgres.USER, TestPostgres.PASSWORD);
    PostgresStoreStartup.open(settings).close();
    // What a newer operator would have left: a migration this one does not know.
    postgres.superuserSql(
        database,
        "INSERT INTO "
            + SCHEMA
            + ".flyway_schema_history (installed_rank, version, description, type, script,"
            + " checksum, installed_by, execution_time, success) VALUES (7, '7', 'from a newer"
            + " operator', 'SQL', 'V7__from_a_newer_operator.sql', 0, 'managedsecret', 1, true)");

    String message = refused(settings);

    assertThat(message)
        .isEqualTo(
            "The PostgreSQL store at "
                + url
                + ", schema managedsecret has schema version 7, newer than the version this"
                + " operator knows (6): run an operator release that knows schema version 7, or"
                + " restore the database from a backup taken before the upgrade");
  }

  @Test
  void versionsStoredUnderSchemaVersionOneGetTheirEnvelopeSizesOnMigration() {
    String database = postgres.createDatabase("schema_one_sizes");
    String url = postgres.jdbcUrl(database);
    // A store as the operator of schema version 1 left it: a version and its envelope, no size.
    migrate(url, "1");
    postgres.superuserSql(
        database,
        "INSERT INTO "
            + SCHEMA
            + ".secret VALUES ('team-a', 'old', 'arn', 'o', 'uid', now(), now(), null, null, 1)",
        "INSERT INTO "
            + SCHEMA
            + ".version_envelope VALUES ('team-a', 'old', 'v1', decode(repeat('ab', 300), 'hex'))",
        "INSERT INTO "
            + SCHEMA
            + ".secret_version VALUES ('team-a', 'old', 'v1', 0, now(), '{AWSCURRENT}', 'k',"
            + " 'h', 'i', '{}')");

    try (PostgresSecretStore store =
        PostgresStoreStartup.open(settings(url, TestPostgres.USER, TestPostgres.PASSWORD))) {
      assertThat(store.schemaVersion()).isEqualTo("6");
      assertThat(store.usage("team-a")).isEqualTo(new SecretStore.Usage(1, 300));
      assertThat(store.find(new SecretId("team-a", "old")).orElseThrow().versions())
          .singleElement()
          .satisfies(v -> assertThat(v.envelopeSize()).isEqualTo(300));
    }
  }

  @Test
  void recordsOfSchemaVersionOneBelongToNoIncarnationAfterTheMigrationUntilOneTakesThem() {
    String database = postgres.createDatabase("schema_one");
    String url = postgres.jdbcUrl(database);
    // The store as an operator of schema version 1 left it: a secret with one version.
    migrate(url, "1");
    postgres.superuserSql(
        database,
        "INSERT INTO "
            + SCHEMA
            + ".secret (namespace, name, arn, owner_name, owner_uid,"
            + " created_date, revision) VALUES ('team-a', 'team-a/db', 'arn:old-AbCdEf', 'db',"
            + " 'ms-1', now(), 1)",
        "INSERT INTO "
            + SCHEMA
            + ".version_envelope (namespace, name, version_id, envelope)"
            + " VALUES ('team-a', 'team-a/db', 'v1', '\\x0102')",
        "INSERT INTO "
            + SCHEMA
            + ".secret_version (namespace, name, version_id, position,"
            + " created_date, stages, generated) VALUES ('team-a', 'team-a/db', 'v1', 0, now(),"
            + " ARRAY['AWSCURRENT'], '{}')");

    try (PostgresSecretStore store =
        PostgresStoreStartup.open(settings(url, TestPostgres.USER, TestPostgres.PASSWORD))) {
      SecretId name = new SecretId("team-a", "team-a/db");
      StoredSecret old = store.findByName(name).get(0);
      assertThat(old.id()).isEqualTo(name);
      assertThat(old.namespaceUid()).isNull();
      assertThat(old.versions()).extracting(v -> v.versionId()).containsExactly("v1");
      assertThat(store.readVersion(name, "v1")).containsExactly(1, 2);
      // The first incarnation to claim it takes it; its id, and where it is kept, stay.
      StoredSecret taken = store.update(old.withNamespaceUid("uid-team-a"));
      assertThat(store.find(name)).contains(taken);
      assertThat(taken.namespaceUid()).isEqualTo("uid-team-a");
    }
  }

  @Test
  void recordsOfSchemaVersionThreeCarryNoMacAfterTheMigrationUntilTheirNextWriteGivesThemOne() {
    String database = postgres.createDatabase("schema_three");
    String url = postgres.jdbcUrl(database);
    // The store as an operator of schema version 3 left it: a record of an incarnation.
    migrate(url, "3");
    postgres.superuserSql(
        database,
        "INSERT INTO "
            + SCHEMA
            + ".secret (namespace, name, incarnation, namespace_uid, arn, owner_name, owner_uid,"
            + " created_date, revision) VALUES ('team-a', 'team-a/db', 'uid-a', 'uid-a',"
            + " 'arn:old-AbCdEf', 'db', 'ms-1', now(), 1)");

    try (PostgresSecretStore store =
        PostgresStoreStartup.open(settings(url, TestPostgres.USER, TestPostgres.PASSWORD))) {
      SecretId id = new SecretId("team-a", "team-a/db", "uid-a");
      SecretStore authenticated = new AuthenticatedSecretStore(store, SecretStoreContract.MAC);
      StoredSecret old = authenticated.find(id).orElseThrow();
      assertThat(old.authenticated()).isFalse();
      assertThat(old.sequence()).isZero();

      StoredSecret written = authenticated.update(old);

      assertThat(written.sequence()).isEqualTo(1);
      assertThat(SecretStoreContract.MAC.verifies(store.find(id).orElseThrow())).isTrue();
    }
  }

  /**
   * A record as an operator of schema version 4 wrote it, with its MAC: after the migration it
   * carries no spec generation and still verifies (the MAC of a record without one is what it was);
   * its next write that records one keeps it, under its MAC.
   */
  @Test
  void
      recordsOfSchemaVersionFourKeepTheirMacAfterTheMigrationAndTakeASpecGenerationAtTheirNextWrite() {
    String url = postgres.jdbcUrl(oneSealedRecordAt("schema_four", "4"));
    SecretId id = new SecretId("team-a", "team-a/db", "uid-a");

    try (PostgresSecretStore store =
        PostgresStoreStartup.open(settings(url, TestPostgres.USER, TestPostgres.PASSWORD))) {
      SecretStore authenticated = new AuthenticatedSecretStore(store, SecretStoreContract.MAC);
      StoredSecret read = authenticated.find(id).orElseThrow();
      assertThat(read.authenticated()).isTrue();
      assertThat(read.specGeneration()).isNull();

      StoredSecret written = authenticated.update(read.writtenBy(new SpecGeneration("ms-1", 4)));

      assertThat(written.sequence()).isEqualTo(2);
      StoredSecret again = store.find(id).orElseThrow();
      assertThat(again.specGeneration()).isEqualTo(new SpecGeneration("ms-1", 4));
      assertThat(SecretStoreContract.MAC.verifies(again)).isTrue();
    }
  }

  @Test
  void recordsOfSchemaVersionFiveKeepTheirMacAfterTheMigrationAndKeepMetadataWhenScheduled() {
    String url = postgres.jdbcUrl(oneSealedRecordAt("schema_five_kept", "5"));
    SecretId id = new SecretId("team-a", "team-a/db", "uid-a");

    try (PostgresSecretStore store =
        PostgresStoreStartup.open(settings(url, TestPostgres.USER, TestPostgres.PASSWORD))) {
      SecretStore authenticated = new AuthenticatedSecretStore(store, SecretStoreContract.MAC);
      StoredSecret read = authenticated.find(id).orElseThrow();
      assertThat(read.authenticated()).isTrue();
      assertThat(read.kept()).isNull();
      KeptMetadata kept =
          new KeptMetadata(
              "orders database",
              "alias/orders",
              List.of(new SecretTag("team", "orders"), new SecretTag("a", "")));

      authenticated.update(read.scheduledForDeletion(CREATED, CREATED.plusSeconds(60), kept));

      StoredSecret again = store.find(id).orElseThrow();
      assertThat(again.kept()).isEqualTo(kept);
      assertThat(SecretStoreContract.MAC.verifies(again)).isTrue();
    }
  }

  /** The schema refuses half a spec generation: a uid without a generation, or a generation 0. */
  @Test
  void theSchemaRefusesHalfASpecGeneration() {
    String database = postgres.createDatabase("schema_five_checks");
    String url = postgres.jdbcUrl(database);
    migrate(url, "5");
    String insert =
        "INSERT INTO "
            + SCHEMA
            + ".secret (namespace, name, incarnation, arn, created_date, revision, spec_uid,"
            + " spec_generation) VALUES ('team-a', 'x', '', 'arn', now(), 1, ";

    for (String values : List.of("'ms-1', NULL)", "NULL, 3)", "'ms-1', 0)")) {
      assertThatThrownBy(() -> postgres.superuserSql(database, insert + values))
          .as(values)
          .hasMessageContaining("secret_spec_generation_whole");
    }
  }

  // ---- helpers ----

  private static final Instant CREATED = Instant.parse("2026-03-04T05:06:07.123456Z");

  /**
   * A new database {@code name} at schema version {@code version} holding one record with its MAC
   * (team-a/db of incarnation uid-a, sequence 1), as the operator of that version wrote it.
   */
  private String oneSealedRecordAt(String name, String version) {
    String database = postgres.createDatabase(name);
    migrate(postgres.jdbcUrl(database), version);
    SecretId id = new SecretId("team-a", "team-a/db", "uid-a");
    StoredSecret old =
        SecretStoreContract.MAC.seal(
            StoredSecret.create(id, "arn:old-AbCdEf", "db", "ms-1", CREATED), 1);
    postgres.superuserSql(
        database,
        "INSERT INTO "
            + SCHEMA
            + ".secret (namespace, name, incarnation, namespace_uid, arn, owner_name, owner_uid,"
            + " created_date, revision, sequence, mac) VALUES ('team-a', 'team-a/db', 'uid-a',"
            + " 'uid-a', 'arn:old-AbCdEf', 'db', 'ms-1', '2026-03-04T05:06:07.123456Z', 1, 1, '"
            + old.mac()
            + "')");
    return database;
  }

  /** Migrates the schema at {@code url} as an operator that knew up to {@code target} would. */
  private static void migrate(String url, String target) {
    Flyway.configure(PostgresSecretStore.class.getClassLoader())
        .dataSource(url, TestPostgres.USER, TestPostgres.PASSWORD)
        .locations(PostgresStoreStartup.MIGRATIONS)
        .schemas(SCHEMA)
        .defaultSchema(SCHEMA)
        .createSchemas(true)
        .target(target)
        .load()
        .migrate();
  }

  private static PostgresStoreStartup.Settings settings(
      String url, String username, String password) {
    return new PostgresStoreStartup.Settings(
        url, username, password, SCHEMA, 2, Duration.ofSeconds(2), "the test's login");
  }

  /** Opens the store, expecting a refusal; returns its message after checking the log line. */
  private String refused(PostgresStoreStartup.Settings settings) {
    Throwable thrown = null;
    try (PostgresSecretStore unexpected = PostgresStoreStartup.open(settings)) {
      // Opened: the assertion below fails.
    } catch (StoreStartupException e) {
      thrown = e;
    }
    assertThat(thrown).as("a StoreStartupException").isInstanceOf(StoreStartupException.class);
    String message = thrown.getMessage();
    assertThat(message).as("one line").doesNotContain("\n").doesNotContain("\r");
    assertThat(messages(Level.ERROR)).as("the log").containsExactly(message);
    assertThat(message).doesNotContain(TestPostgres.PASSWORD);
    return message;
  }

  private List<String> messages(Level level) {
    return log.list.stream()
        .filter(e -> e.getLevel().equals(level))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static Logger logger() {
    return (Logger) LoggerFactory.getLogger(PostgresSecretStore.class);
  }

  private static List<String> tables(String database) throws SQLException {
    try (Connection c = postgres.superuser(database);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                    + SCHEMA
                    + "'")) {
      List<String> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }
}
