package dev.managedsecrets.operator.store;

import static dev.managedsecrets.operator.store.SecretStoreContract.added;
import static dev.managedsecrets.operator.store.SecretStoreContract.arn;
import static dev.managedsecrets.operator.store.SecretStoreContract.bytes;
import static dev.managedsecrets.operator.store.SecretStoreContract.newId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the PostgreSQL store guarantees beyond the contract: the database refuses a record that
 * lists a version whose ciphertext is not stored, a refused write leaves nothing behind, and an
 * outage fails calls with StoreUnavailableException, half-writes nothing, and heals without a
 * restart.
 */
class PostgresSecretStoreIT {

  private static final Instant T0 = Instant.parse("2026-03-04T05:06:07.123456Z");
  private static final String SCHEMA = "managedsecret";

  static TestPostgres postgres;
  static PostgresSecretStore store;
  static ExecutorService threads;

  @BeforeAll
  static void start() {
    postgres = TestPostgres.start();
    PostgresStoreStartup.Settings s = postgres.settings(SCHEMA);
    // A short wait for a connection: every call made during the outage waits this long.
    store =
        PostgresStoreStartup.open(
            new PostgresStoreStartup.Settings(
                s.jdbcUrl(),
                s.username(),
                s.password(),
                s.schema(),
                s.maxPoolSize(),
                Duration.ofSeconds(1),
                s.credentialsSource()));
    threads = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() {
    threads.shutdownNow();
    store.close();
    postgres.close();
  }

  @AfterEach
  void serverIsUpForTheNextTest() {
    postgres.restart();
    awaitTheStoreReconnected();
  }

  /**
   * After the server comes back, the pool drops its dead connections and opens new ones, backing
   * off between attempts: the first calls may still fail with StoreUnavailableException. The same
   * store instance converges; no restart.
   */
  private static void awaitTheStoreReconnected() {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreException(StoreUnavailableException.class)
        .until(() -> store.find(new SecretId("probe", "probe")).isEmpty());
  }

  @Test
  void aRecordCannotListAVersionWhoseCiphertextIsNotStored() {
    SecretId id = newId("dangling");
    StoredSecret base = store.create(StoredSecret.create(id, arn(id), "d", "uid", T0));

    assertThatThrownBy(() -> store.update(added(base, "never-written", T0)))
        .isInstanceOf(StoreConflictException.class)
        .hasMessageContaining("ciphertext is not stored");
    assertThatThrownBy(
            () ->
                store.create(
                    added(StoredSecret.create(newId("dangling-2"), "arn", "d", "u", T0), "x", T0)))
        .isInstanceOf(StoreConflictException.class);

    assertThat(store.find(id)).contains(base);
  }

  @Test
  void aRefusedVersionLeavesNoCiphertextBehind() {
    SecretId id = newId("refused");
    StoredSecret base = store.create(StoredSecret.create(id, arn(id), "r", "uid", T0));
    store.update(base.withOwner("r", "uid-2"));

    assertThatThrownBy(() -> store.addVersion(added(base, "lost", T0), "lost", bytes(64)))
        .isInstanceOf(StoreConflictException.class);

    assertMissing(id, "lost");
    assertThat(envelopeRows(id)).isZero();
  }

  @Test
  void aListedVersionIsNeverOverwritten() {
    SecretId id = newId("immutable");
    StoredSecret base = store.create(StoredSecret.create(id, arn(id), "i", "uid", T0));
    byte[] original = bytes(64);
    StoredSecret withV1 = store.addVersion(added(base, "v1", T0), "v1", original);

    assertThatThrownBy(() -> store.writeVersion(id, "v1", bytes(64)))
        .isInstanceOf(StoreConflictException.class);
    assertThatThrownBy(() -> store.addVersion(withV1, "v1", bytes(64)))
        .isInstanceOf(StoreConflictException.class);

    assertThat(store.readVersion(id, "v1")).isEqualTo(original);
    assertThat(store.find(id)).contains(withV1);
  }

  @Test
  void everyCallFailsWithStoreUnavailableWhileTheDatabaseIsDownAndWorksAgainWithoutARestart() {
    SecretId id = newId("outage");
    StoredSecret base = store.create(StoredSecret.create(id, arn(id), "o", "uid", T0));
    byte[] envelope = bytes(64);
    StoredSecret withV1 = store.addVersion(added(base, "v1", T0), "v1", envelope);

    postgres.stop();

    SecretId other = newId("outage-2");
    List<ThrowingCallable> calls =
        List.of(
            () -> store.find(id),
            () -> store.list(),
            () -> store.create(StoredSecret.create(other, arn(other), "o", "uid", T0)),
            () -> store.update(withV1.withOwner("o", "uid-2")),
            () -> store.addVersion(added(withV1, "v2", T0), "v2", bytes(64)),
            () -> store.writeVersion(id, "v3", bytes(64)),
            () -> store.readVersion(id, "v1"),
            () -> store.deleteVersions(id, List.of("v1")),
            () -> store.purge(withV1));
    for (ThrowingCallable call : calls) {
      assertThatThrownBy(call)
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("SQLState")
          .hasMessageContaining("retrying");
    }

    postgres.restart();
    awaitTheStoreReconnected();

    assertThat(store.find(id)).contains(withV1);
    assertThat(store.readVersion(id, "v1")).isEqualTo(envelope);
    assertThat(store.find(other)).isEmpty();
    StoredSecret withV2 = store.addVersion(added(withV1, "v2", T0), "v2", bytes(64));
    assertThat(withV2.current().orElseThrow().versionId()).isEqualTo("v2");
  }

  @Test
  void aWriteCutOffByTheOutageLeavesNothingHalfWritten() throws Exception {
    SecretId id = newId("cut-off");
    StoredSecret base = store.create(StoredSecret.create(id, arn(id), "c", "uid", T0));
    base = store.addVersion(added(base, "v1", T0), "v1", bytes(64));
    StoredSecret before = base;

    // Hold the envelope table so the store's transaction stops after it moved the record's row,
    // then stop the server under it.
    Connection blocker = postgres.superuser(TestPostgres.DATABASE);
    blocker.setAutoCommit(false);
    try (Statement s = blocker.createStatement()) {
      s.execute("LOCK TABLE " + SCHEMA + ".version_envelope IN EXCLUSIVE MODE");
    }
    Future<StoredSecret> write =
        threads.submit(() -> store.addVersion(added(before, "v2", T0), "v2", bytes(64)));
    await().atMost(Duration.ofSeconds(30)).until(this::aStoreSessionWaitsForALock);

    postgres.stop();

    assertThatThrownBy(() -> write.get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StoreUnavailableException.class);
    closeQuietly(blocker);

    postgres.restart();
    awaitTheStoreReconnected();

    StoredSecret after = store.find(id).orElseThrow();
    assertThat(after).isEqualTo(before);
    assertThat(after.current().orElseThrow().versionId()).isEqualTo("v1");
    assertMissing(id, "v2");
    // The same write, tried again, goes through on the same pool.
    StoredSecret retried = store.addVersion(added(before, "v2", T0), "v2", bytes(64));
    assertThat(retried.current().orElseThrow().versionId()).isEqualTo("v2");
  }

  @Test
  void noSecretByteReachesAnExceptionMessage() {
    SecretId id = newId("quiet");
    StoredSecret base = store.create(StoredSecret.create(id, arn(id), "q", "uid", T0));
    byte[] envelope = bytes(256);
    StoredSecret withV1 = store.addVersion(added(base, "v1", T0), "v1", envelope);
    List<Throwable> failures = new ArrayList<>();
    collect(failures, () -> store.writeVersion(id, "v1", envelope));
    collect(failures, () -> store.addVersion(withV1, "v1", envelope));
    collect(failures, () -> store.update(added(base, "v9", T0)));
    postgres.stop();
    collect(failures, () -> store.addVersion(added(withV1, "v2", T0), "v2", envelope));

    assertThat(failures).hasSize(4);
    String hex = HexFormat.of().formatHex(envelope);
    String base64 = Base64.getEncoder().encodeToString(envelope);
    for (Throwable f : failures) {
      for (Throwable t = f; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage()))
            .doesNotContain(hex.substring(0, 32))
            .doesNotContain(base64.substring(0, 32))
            .doesNotContain(TestPostgres.PASSWORD);
      }
    }
  }

  // ---- helpers ----

  private boolean aStoreSessionWaitsForALock() throws SQLException {
    try (Connection c = postgres.superuser(TestPostgres.DATABASE);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                    + PostgresStoreStartup.APPLICATION_NAME
                    + "' AND wait_event_type = 'Lock'")) {
      rs.next();
      return rs.getInt(1) > 0;
    }
  }

  private long envelopeRows(SecretId id) {
    try (Connection c = postgres.superuser(TestPostgres.DATABASE);
        var ps =
            c.prepareStatement(
                "SELECT count(*) FROM "
                    + SCHEMA
                    + ".version_envelope WHERE namespace = ? AND name = ?")) {
      ps.setString(1, id.namespace());
      ps.setString(2, id.name());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertMissing(SecretId id, String versionId) {
    assertThatThrownBy(() -> store.readVersion(id, versionId))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION));
  }

  private static void collect(List<Throwable> failures, ThrowingCallable call) {
    try {
      call.call();
    } catch (Throwable t) {
      failures.add(t);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // The server that held it is gone.
    }
  }
}
