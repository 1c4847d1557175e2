package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.condition;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import dev.managedsecrets.operator.reconcile.Checkpoints.Point;
import dev.managedsecrets.operator.store.TestPostgres;
import io.fabric8.kubernetes.api.model.Event;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The postgres strategies against a real PostgreSQL (embedded, scram-sha-256 logins): after a
 * single-user rotation the new password logs in and the old one does not; after an alternating
 * rotation the new login works and the previous user still does; a stop after any step resumes and
 * finishes with one new version; a database that is down, a wrong administrator password and a host
 * off the allow-list are reported, and nothing stored is lost.
 */
class PostgresRotationIT {

  static final Crash crash = new Crash();
  static final Gate gate = new Gate();
  static TestCluster cluster;
  static StoreView store;
  static TestPostgres pg;

  @BeforeAll
  static void start() {
    pg = TestPostgres.start();
    pg.superuserSql(
        TestPostgres.DATABASE,
        "CREATE ROLE ms_admin LOGIN SUPERUSER PASSWORD 'admin-login-1'",
        "CREATE TABLE orders (id int)",
        "INSERT INTO orders VALUES (1)");
    cluster = TestCluster.withoutOperator();
    cluster.checkpoints =
        (point, ms) -> {
          gate.reached(point, ms);
          crash.reached(point, ms);
        };
    cluster.configure =
        Map.of(
            "MANAGEDSECRET_ROTATION_DATABASE_HOSTS", "127.0.0.1",
            "MANAGEDSECRET_ROTATION_MAX_CONCURRENT_PER_HOST", "1",
            // Longer than any test waits: a rotation that waited for a slot runs only because the
            // slot given back woke it.
            "MANAGEDSECRET_ROTATION_RETRY_WHEN_BUSY", "PT10M");
    cluster.startOperator();
    store = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  /** A login of {@code user} to the test database, its password generated, on a schedule. */
  static Consumer<ManagedSecretSpec> login(String user, String strategy) {
    return s -> {
      s.data = Map.of("username", user);
      GenerateSpec password = new GenerateSpec();
      password.excludeCharacters = "/@\"'\\:"; // as AWS's rotation templates
      s.generate = Map.of("password", password);
      s.database = database();
      s.rotation = new RotationSpec();
      s.rotation.automaticallyAfterDays = 30;
      s.rotation.rotateImmediately = false;
      s.rotation.strategy = strategy;
    };
  }

  static DatabaseSpec database() {
    DatabaseSpec db = new DatabaseSpec();
    db.engine = "postgres";
    db.host = "127.0.0.1";
    db.port = pg.port();
    db.dbname = TestPostgres.DATABASE;
    db.sslmode = "disable"; // the embedded server has no TLS; PostgresTlsIT covers TLS
    return db;
  }

  /**
   * Creates the ManagedSecret and the role with its first, generated password (what an
   * administrator does once: the operator rotates it from then on); returns that password.
   */
  static String createWithRole(String name, String user, String strategy) {
    create(cluster.client, managedSecret("team-a", name, login(user, strategy)));
    awaitSynced(cluster.client, "team-a", name);
    String password = text(secret(cluster.client, "team-a", name)).get("password");
    try (Connection c = pg.superuser(TestPostgres.DATABASE);
        Statement st = c.createStatement()) {
      String literal = c.unwrap(PGConnection.class).escapeLiteral(password);
      st.execute("CREATE ROLE " + user + " LOGIN PASSWORD '" + literal + "'");
      st.execute("GRANT SELECT ON orders TO " + user);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return password;
  }

  @Test
  void singleUserRotationChangesTheRolesPasswordSoTheNewOneLogsInAndTheOldOneNoLonger()
      throws Exception {
    String first = createWithRole("single", "app_single", "postgres-single-user");
    String firstVersion = get(cluster.client, "team-a", "single").getStatus().versionId;

    annotate("single", "1");
    ManagedSecret rotated = awaitRotated("single", firstVersion);

    Map<String, String> now = text(secret(cluster.client, "team-a", "single"));
    assertThat(now.get("username")).isEqualTo("app_single");
    assertThat(now.get("password")).hasSize(32).isNotEqualTo(first).doesNotContain(":", "/", "@");
    assertThat(logsIn("app_single", now.get("password"))).isTrue();
    assertThat(logsIn("app_single", first)).isFalse();
    assertThat(storedPassword("app_single")).startsWith("SCRAM-SHA-256$");
    assertThat(condition(rotated, "Rotating").getReason()).isEqualTo("RotationSucceeded");
    assertThat(record("single").versions()).hasSize(2);
    assertNothingCarries("single", List.of(first, now.get("password")));
    assertThat(
            cluster
                .registry
                .get(OperatorMetrics.ROTATIONS)
                .tags("strategy", "postgres-single-user", "outcome", "Succeeded")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void turningRotationOnWithoutRotateImmediatelyTestsTheCurrentLoginAndChangesNothing()
      throws Exception {
    // Two ManagedSecrets of one role, rotation set up but off: the role has the first one's
    // password, so the second one's test fails.
    for (String name : List.of("tested", "untested")) {
      create(
          cluster.client,
          managedSecret(
              "team-a",
              name,
              login("app_tested", "postgres-single-user")
                  .andThen(s -> s.rotation.enabled = false)));
    }
    awaitSynced(cluster.client, "team-a", "tested");
    awaitSynced(cluster.client, "team-a", "untested");
    String first = text(secret(cluster.client, "team-a", "tested")).get("password");
    try (Connection c = pg.superuser(TestPostgres.DATABASE);
        Statement st = c.createStatement()) {
      String literal = c.unwrap(PGConnection.class).escapeLiteral(first);
      st.execute("CREATE ROLE app_tested LOGIN PASSWORD '" + literal + "'");
    }
    String firstVersion = get(cluster.client, "team-a", "tested").getStatus().versionId;
    String untestedVersion = get(cluster.client, "team-a", "untested").getStatus().versionId;

    for (String name : List.of("tested", "untested")) {
      cluster
          .client
          .resources(ManagedSecret.class)
          .inNamespace("team-a")
          .withName(name)
          .edit(
              ms -> {
                ms.getSpec().rotation.enabled = true;
                return ms;
              });
    }

    await()
        .atMost(Fixtures.WAIT)
        .untilAsserted(
            () -> {
              assertThat(messages("tested")).anyMatch(m -> m.contains("test step testSecret"));
              assertThat(messages("untested")).anyMatch(m -> m.contains("test of the rotation"));
            });
    for (String name : List.of("tested", "untested")) {
      StoredSecret after = record(name);
      assertThat(after.current().orElseThrow().versionId())
          .isEqualTo(name.equals("tested") ? firstVersion : untestedVersion);
      assertThat(after.versionWithStage("AWSPENDING")).isEmpty();
      assertThat(get(cluster.client, "team-a", name).getStatus().lastRotatedDate).isNull();
    }
    assertThat(messages("tested")).noneMatch(m -> m.contains("test of the rotation failed"));
    assertThat(text(secret(cluster.client, "team-a", "tested")).get("password")).isEqualTo(first);
    assertThat(logsIn("app_tested", first)).isTrue();
  }

  @Test
  void alternatingUsersRotationKeepsThePreviousUserWorkingAndTheCloneHasTheUsersGrants()
      throws Exception {
    createAdmin("pg-admin", "admin-login-1");
    String first = createWithRole("alt", "app_alt", "postgres-alternating-users");
    edit(cluster.client, "team-a", "alt", s -> s.rotation.masterSecret = "pg-admin");
    String firstVersion = awaitSynced(cluster.client, "team-a", "alt").getStatus().versionId;

    annotate("alt", "1");
    String secondVersion = awaitRotated("alt", firstVersion).getStatus().versionId;
    Map<String, String> second = text(secret(cluster.client, "team-a", "alt"));
    assertThat(second.get("username")).isEqualTo("app_alt_clone");
    assertThat(selectsOrders("app_alt_clone", second.get("password"))).isTrue();
    assertThat(logsIn("app_alt", first)).isTrue(); // the previous login keeps working

    // A change of the spec's inputs makes a version that keeps the current (clone) login.
    edit(
        cluster.client,
        "team-a",
        "alt",
        s -> s.data = Map.of("username", "app_alt", "application", "orders"));
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> text(secret(cluster.client, "team-a", "alt")).containsKey("application"));
    Map<String, String> edited = text(secret(cluster.client, "team-a", "alt"));
    assertThat(edited.get("username")).isEqualTo("app_alt_clone");
    assertThat(edited.get("password")).isEqualTo(second.get("password"));
    String editedVersion = awaitSynced(cluster.client, "team-a", "alt").getStatus().versionId;
    assertThat(editedVersion).isNotEqualTo(secondVersion);

    annotate("alt", "2");
    awaitRotated("alt", editedVersion);
    Map<String, String> third = text(secret(cluster.client, "team-a", "alt"));
    assertThat(third.get("username")).isEqualTo("app_alt");
    assertThat(third.get("password")).isNotEqualTo(first);
    assertThat(logsIn("app_alt", third.get("password"))).isTrue();
    assertThat(logsIn("app_alt", first)).isFalse();
    assertThat(logsIn("app_alt_clone", second.get("password"))).isTrue();
    assertNothingCarries("alt", List.of(first, second.get("password"), third.get("password")));
  }

  @Test
  void aStopAfterEachStepResumesAndFinishesWithOneNewVersion() throws Exception {
    String password = createWithRole("crashes", "app_crash", "postgres-single-user");
    int round = 0;
    for (Point point :
        List.of(
            Point.ROTATION_PENDING_STORED,
            Point.ROTATION_SET,
            Point.ROTATION_TESTED,
            Point.ROTATION_FINISHED)) {
      round++;
      ManagedSecret before = get(cluster.client, "team-a", "crashes");
      List<String> versions =
          record("crashes").versions().stream().map(StoredVersion::versionId).toList();
      crash.arm(point, "team-a", "crashes");
      annotate("crashes", "crash-" + round);
      crash.awaitCrash();
      cluster.stopOperator();
      cluster.startOperator();

      String current = awaitRotated("crashes", before.getStatus().versionId).getStatus().versionId;
      StoredSecret after = record("crashes");
      assertThat(after.versions())
          .as(point.name())
          .extracting(StoredVersion::versionId)
          .filteredOn(id -> !versions.contains(id))
          .containsExactly(current);
      assertThat(after.versionWithStage("AWSPENDING")).as(point.name()).isEmpty();
      String now = text(secret(cluster.client, "team-a", "crashes")).get("password");
      assertThat(logsIn("app_crash", now)).as(point.name()).isTrue();
      assertThat(logsIn("app_crash", password)).as(point.name()).isFalse();
      password = now;
    }
  }

  @Test
  void aDatabaseThatIsDownKeepsAwsPendingAndTheOldValueAndTheNextAttemptSucceeds()
      throws Exception {
    String first = createWithRole("outage", "app_outage", "postgres-single-user");
    String firstVersion = get(cluster.client, "team-a", "outage").getStatus().versionId;

    pg.stop();
    ManagedSecret failed;
    try {
      annotate("outage", "1");
      failed = awaitRotationFailed("outage");
    } finally {
      pg.restart();
    }
    assertThat(ready(failed).getStatus()).isEqualTo("True");
    assertThat(failed.getStatus().versionId).isEqualTo(firstVersion);
    assertThat(condition(failed, "Rotating").getMessage())
        .contains("could not be reached", "AWSCURRENT", "unchanged");
    assertThat(text(secret(cluster.client, "team-a", "outage")).get("password")).isEqualTo(first);
    StoredSecret during = record("outage");
    String pending = during.versionWithStage("AWSPENDING").orElseThrow().versionId();
    assertThat(during.current().orElseThrow().versionId()).isEqualTo(firstVersion);
    assertThat(events("outage")).contains("RotationFailed");

    annotate("outage", "2");
    ManagedSecret rotated = awaitRotated("outage", firstVersion);
    assertThat(rotated.getStatus().versionId).isEqualTo(pending);
    assertThat(record("outage").versions()).hasSize(2);
    assertThat(
            logsIn("app_outage", text(secret(cluster.client, "team-a", "outage")).get("password")))
        .isTrue();
    assertThat(logsIn("app_outage", first)).isFalse();
  }

  @Test
  void aWrongAdministratorPasswordIsAClearConditionAndChangesNothing() throws Exception {
    createAdmin("bad-admin", "not-the-admin-password");
    String first = createWithRole("alt-bad", "app_alt_bad", "postgres-alternating-users");
    edit(cluster.client, "team-a", "alt-bad", s -> s.rotation.masterSecret = "bad-admin");
    String firstVersion = awaitSynced(cluster.client, "team-a", "alt-bad").getStatus().versionId;

    annotate("alt-bad", "1");
    ManagedSecret failed = awaitRotationFailed("alt-bad");

    assertThat(condition(failed, "Rotating").getMessage())
        .contains("administrator's login was refused")
        .doesNotContain("not-the-admin-password");
    assertThat(failed.getStatus().versionId).isEqualTo(firstVersion);
    assertThat(ready(failed).getStatus()).isEqualTo("True");
    assertThat(logsIn("app_alt_bad", first)).isTrue();
    assertThat(exists("app_alt_bad_clone")).isFalse();
  }

  @Test
  void aHostOffTheAllowListIsRefusedWithInvalidParameterException() {
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "elsewhere",
            login("app", "postgres-single-user").andThen(s -> s.database.host = "db.elsewhere")));
    ManagedSecret refused =
        awaitReady(cluster.client, "team-b", "elsewhere", "False", "InvalidParameterException");
    assertThat(ready(refused).getMessage()).contains("db.elsewhere", "rotation.databaseHosts");
  }

  @Test
  void theValuesMasterarnNamesTheAdministratorOfTheSameNamespace() throws Exception {
    createAdmin("arn-admin", "admin-login-1");
    String adminArn = get(cluster.client, "team-a", "arn-admin").getStatus().arn;
    String first = createWithRole("alt-arn", "app_alt_arn", "postgres-alternating-users");
    edit(
        cluster.client,
        "team-a",
        "alt-arn",
        s -> s.data = Map.of("username", "app_alt_arn", "masterarn", adminArn));
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> text(secret(cluster.client, "team-a", "alt-arn")).containsKey("masterarn"));
    String version = awaitSynced(cluster.client, "team-a", "alt-arn").getStatus().versionId;

    annotate("alt-arn", "1");
    awaitRotated("alt-arn", version);

    Map<String, String> now = text(secret(cluster.client, "team-a", "alt-arn"));
    assertThat(now.get("username")).isEqualTo("app_alt_arn_clone");
    assertThat(logsIn("app_alt_arn_clone", now.get("password"))).isTrue();
    assertThat(logsIn("app_alt_arn", first)).isTrue();
  }

  @Test
  void anAdministratorInAnotherNamespaceIsRefused() throws Exception {
    String first = createWithRole("alt-far", "app_alt_far", "postgres-alternating-users");
    String firstVersion = get(cluster.client, "team-a", "alt-far").getStatus().versionId;
    // masterarn names a ManagedSecret of team-b: not found in team-a.
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "far-admin",
            s -> {
              s.data = Map.of("username", "ms_admin", "password", "admin-login-1");
              s.database = database();
            }));
    String farArn = awaitSynced(cluster.client, "team-b", "far-admin").getStatus().arn;
    edit(
        cluster.client,
        "team-a",
        "alt-far",
        s -> {
          s.data = new HashMap<>(Map.of("username", "app_alt_far", "masterarn", farArn));
        });
    awaitSynced(cluster.client, "team-a", "alt-far");

    annotate("alt-far", "1");
    ManagedSecret failed = awaitRotationFailed("alt-far");
    assertThat(condition(failed, "Rotating").getMessage())
        .contains("InvalidParameterException", "same namespace");
    assertThat(logsIn("app_alt_far", first)).isTrue();
    assertThat(firstVersion).isNotNull();
  }

  @Test
  void aValueTheStoreOwnsRotatesWithAwsTemplatePasswords() throws Exception {
    String first = createWithRole("owned", "app_owned", "postgres-single-user");
    String firstVersion = get(cluster.client, "team-a", "owned").getStatus().versionId;
    // The value moves to the store (as PutSecretValue through the endpoint would keep it there).
    edit(
        cluster.client,
        "team-a",
        "owned",
        s -> {
          s.data = null;
          s.generate = null;
          s.database = null;
          s.valueSource = "Store";
        });
    awaitSynced(cluster.client, "team-a", "owned");

    annotate("owned", "1");
    awaitRotated("owned", firstVersion);

    Map<String, String> now = text(secret(cluster.client, "team-a", "owned"));
    assertThat(now.get("password")).hasSize(32).doesNotContain("/", "@", "\"", "'", "\\", ":");
    assertThat(logsIn("app_owned", now.get("password"))).isTrue();
    assertThat(logsIn("app_owned", first)).isFalse();
  }

  @Test
  void aRotationThatFindsNoFreeSlotForItsHostWaitsWithoutStartingAndIsWokenWhenTheSlotIsGivenBack()
      throws Exception {
    createWithRole("slow", "app_slow", "postgres-single-user");
    String queuedPassword = createWithRole("queued", "app_queued", "postgres-single-user");
    String slowVersion = get(cluster.client, "team-a", "slow").getStatus().versionId;
    String queuedVersion = get(cluster.client, "team-a", "queued").getStatus().versionId;

    gate.hold(Point.ROTATION_SET, "slow");
    try {
      annotate("slow", "1");
      gate.awaitHeld();
      gate.watchDeferred("queued");
      annotate("queued", "1");
      gate.awaitDeferred();

      // The second rotation on the same host started nothing: no pending version, no Event.
      ManagedSecret queued = get(cluster.client, "team-a", "queued");
      assertThat(condition(queued, "Rotating")).isNull();
      assertThat(record("queued").versions()).hasSize(1);
      assertThat(events("queued")).doesNotContain("RotationStarted");
    } finally {
      gate.release();
    }
    awaitRotated("slow", slowVersion);
    awaitRotated("queued", queuedVersion);
    String now = text(secret(cluster.client, "team-a", "queued")).get("password");
    assertThat(logsIn("app_queued", now)).isTrue();
    assertThat(logsIn("app_queued", queuedPassword)).isFalse();
  }

  /** Holds one ManagedSecret's rotation at a point, and tells when another's was deferred. */
  static final class Gate {
    private volatile Point point;
    private volatile String held;
    private volatile String deferred;
    private volatile CountDownLatch arrived = new CountDownLatch(1);
    private volatile CountDownLatch released = new CountDownLatch(1);
    private volatile CountDownLatch wasDeferred = new CountDownLatch(1);

    void hold(Point at, String name) {
      arrived = new CountDownLatch(1);
      released = new CountDownLatch(1);
      point = at;
      held = name;
    }

    void watchDeferred(String name) {
      wasDeferred = new CountDownLatch(1);
      deferred = name;
    }

    void reached(Point at, ManagedSecret ms) {
      String name = ms.getMetadata().getName();
      if (at == Point.ROTATION_DEFERRED && name.equals(deferred)) {
        wasDeferred.countDown();
      }
      if (at == point && name.equals(held)) {
        arrived.countDown();
        try {
          released.await(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    void awaitHeld() throws InterruptedException {
      assertThat(arrived.await(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    void awaitDeferred() throws InterruptedException {
      assertThat(wasDeferred.await(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    void release() {
      point = null;
      held = null;
      deferred = null;
      released.countDown();
    }
  }

  // ---- helpers ----

  private static void createAdmin(String name, String password) {
    create(
        cluster.client,
        managedSecret(
            "team-a",
            name,
            s -> {
              s.data = Map.of("username", "ms_admin", "password", password);
              s.database = database();
            }));
    awaitSynced(cluster.client, "team-a", name);
  }

  private static boolean logsIn(String user, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), user, password)) {
      return true;
    } catch (SQLException e) {
      if ("28P01".equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  private static boolean selectsOrders(String user, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), user, password);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM orders")) {
      return r.next() && r.getInt(1) == 1;
    }
  }

  private static String storedPassword(String user) throws SQLException {
    try (Connection c = pg.superuser(TestPostgres.DATABASE);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + user + "'")) {
      r.next();
      return r.getString(1);
    }
  }

  private static boolean exists(String role) throws SQLException {
    try (Connection c = pg.superuser(TestPostgres.DATABASE);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
      return r.next();
    }
  }

  private static void annotate(String name, String value) {
    Fixtures.annotate(cluster.client, "team-a", name, "managedsecrets.dev/rotate-now", value);
  }

  private static ManagedSecret awaitRotated(String name, String from) {
    await()
        .atMost(Fixtures.WAIT.multipliedBy(2))
        .until(
            () -> {
              ManagedSecret ms = get(cluster.client, "team-a", name);
              return ms.getStatus() != null
                  && ms.getStatus().lastRotatedDate != null
                  && !from.equals(ms.getStatus().versionId)
                  && condition(ms, "Rotating") != null
                  && "RotationSucceeded".equals(condition(ms, "Rotating").getReason());
            });
    return get(cluster.client, "team-a", name);
  }

  private static ManagedSecret awaitRotationFailed(String name) {
    await()
        .atMost(Fixtures.WAIT.multipliedBy(2))
        .until(
            () -> {
              ManagedSecret ms = get(cluster.client, "team-a", name);
              return condition(ms, "Rotating") != null
                  && "RotationFailed".equals(condition(ms, "Rotating").getReason());
            });
    return get(cluster.client, "team-a", name);
  }

  private static StoredSecret record(String name) {
    return store.record("team-a", "team-a/" + name).orElseThrow();
  }

  private static List<String> events(String name) {
    return eventList(name).stream().map(Event::getReason).toList();
  }

  private static List<String> messages(String name) {
    return eventList(name).stream().map(Event::getMessage).toList();
  }

  private static List<Event> eventList(String name) {
    return Fixtures.events(cluster.client, "team-a", name);
  }

  /** No Event and no condition carries one of these passwords. */
  private static void assertNothingCarries(String name, List<String> passwords) {
    String status = String.valueOf(get(cluster.client, "team-a", name).getStatus().conditions);
    for (String p : passwords) {
      assertThat(status).doesNotContain(p);
      for (Event e : eventList(name)) {
        assertThat(e.getMessage()).doesNotContain(p);
      }
    }
  }
}
