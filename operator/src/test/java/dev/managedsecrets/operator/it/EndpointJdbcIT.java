package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.operator.endpoint.AccessKeys;
import dev.managedsecrets.operator.store.TestPostgres;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * AWS's JDBC driver ({@code aws-secretsmanager-jdbc}) opens a real PostgreSQL with credentials it
 * reads through the endpoint, configured as an application on AWS would configure it: the driver's
 * own settings ({@code drivers.vpcEndpointUrl}, {@code drivers.vpcEndpointRegion}) name the
 * endpoint, and the SDK's default credentials chain finds a ServiceAccount's access key.
 */
class EndpointJdbcIT {

  static final String DRIVER = "com.amazonaws.secretsmanager.sql.AWSSecretsManagerPostgreSQLDriver";
  static final String SECRET = "production/orders-db";
  static final String ROLE = "orders_app";

  /** The driver's settings and the SDK's credentials, as system properties. */
  static final List<String> PROPERTIES =
      List.of(
          "drivers.vpcEndpointUrl",
          "drivers.vpcEndpointRegion",
          "aws.accessKeyId",
          "aws.secretAccessKey");

  static TestCluster cluster;
  static TestPostgres postgres;
  static SecretsManagerClient admin;
  static Driver driver;

  @BeforeAll
  static void start() throws Exception {
    cluster = EndpointClients.start();
    postgres = TestPostgres.start();
    admin = EndpointClients.client(cluster, EndpointClients.administrator(cluster));
    // The application's ServiceAccount may read the secret and its value, nothing more.
    AccessKeys.AccessKey app = EndpointClients.serviceAccount(cluster, "default", "orders");
    EndpointClients.grant(
        cluster,
        "default",
        "orders",
        "read-orders-db",
        List.of("managedsecrets", "managedsecrets/value"),
        "get");
    System.setProperty("drivers.vpcEndpointUrl", EndpointClients.endpoint(cluster).url());
    System.setProperty("drivers.vpcEndpointRegion", EndpointClients.REGION);
    System.setProperty("aws.accessKeyId", app.accessKeyId());
    System.setProperty("aws.secretAccessKey", app.secretAccessKey());
    // As an application does: loading the class registers the driver, which builds its client
    // from the settings above.
    Class.forName(DRIVER);
    driver =
        DriverManager.drivers()
            .filter(d -> d.getClass().getName().equals(DRIVER))
            .findFirst()
            .orElseThrow();
  }

  @AfterAll
  static void stop() throws SQLException {
    if (driver != null) {
      DriverManager.deregisterDriver(driver);
    }
    PROPERTIES.forEach(System::clearProperty);
    if (admin != null) {
      admin.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static String credentials(String password) {
    return "{\"username\":\""
        + ROLE
        + "\",\"password\":\""
        + password
        + "\",\"engine\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":"
        + postgres.port()
        + ",\"dbname\":\""
        + TestPostgres.DATABASE
        + "\"}";
  }

  /** A connection through AWS's driver: the secret's name as the user, no password. */
  static Connection connect() throws SQLException {
    Properties info = new Properties();
    info.setProperty("user", SECRET);
    return DriverManager.getConnection(
        "jdbc-secretsmanager:postgresql://127.0.0.1:"
            + postgres.port()
            + "/"
            + TestPostgres.DATABASE,
        info);
  }

  static Map<String, Object> whoAmI(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT 1 AS one, current_user AS who")) {
      assertThat(r.next()).isTrue();
      return Map.of("one", r.getInt("one"), "who", r.getString("who"));
    }
  }

  @Test
  void theDriverLogsInWithCredentialsReadThroughTheEndpointAndFollowsAPasswordChange()
      throws SQLException {
    postgres.superuserSql(
        "postgres",
        "CREATE ROLE " + ROLE + " LOGIN PASSWORD 'first-Pa55word'",
        "GRANT CONNECT ON DATABASE " + TestPostgres.DATABASE + " TO " + ROLE);
    admin.createSecret(r -> r.name(SECRET).secretString(credentials("first-Pa55word")));

    try (Connection c = connect()) {
      assertThat(whoAmI(c)).isEqualTo(Map.of("one", 1, "who", ROLE));
    }

    // The password changes: a new version through the endpoint, then the role's password. The
    // driver's cached secret now fails to log in (28P01); the driver fetches the secret again and
    // logs in with the new password.
    admin.putSecretValue(r -> r.secretId(SECRET).secretString(credentials("second-Pa55word")));
    postgres.superuserSql("postgres", "ALTER ROLE " + ROLE + " PASSWORD 'second-Pa55word'");
    SQLException old =
        catchThrowableOfType(
            () -> DriverManager.getConnection(postgres.jdbcUrl(), ROLE, "first-Pa55word").close(),
            SQLException.class);
    assertThat(old.getSQLState()).isEqualTo("28P01");

    try (Connection c = connect()) {
      assertThat(whoAmI(c)).isEqualTo(Map.of("one", 1, "who", ROLE));
    }
  }
}
