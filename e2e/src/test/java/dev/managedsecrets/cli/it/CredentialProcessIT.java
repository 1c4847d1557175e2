package dev.managedsecrets.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.cli.Cli.Result;
import dev.managedsecrets.operator.command.EmbeddedCommand;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kubectl managedsecret credentials} as the AWS CLI's {@code credential_process}: a person
 * whose kubeconfig may make tokens of one ServiceAccount (and nothing else of it) and reach the
 * endpoint's Service through the API server's service proxy gets credentials that act as that
 * ServiceAccount, and {@code aws secretsmanager get-secret-value} reads what its RBAC grant allows.
 *
 * <p>The person's kubeconfig has a client certificate (user alice) and no token: the command asks
 * the API server for a token of the ServiceAccount and presents only that to the endpoint.
 */
@Timeout(240)
class CredentialProcessIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Path LAUNCHER =
      Path.of(System.getProperty("cli.launcher", "kubectl-managedsecret")).toAbsolutePath();

  /** The endpoint's Service and port as the API server's proxy names them in embedded mode. */
  static final String PROXIED =
      EmbeddedCommand.ENDPOINT_SERVICE + ":" + EmbeddedCommand.ENDPOINT_PORT_NAME;

  /** The person: the user alice of a client certificate (no token), in the group developers. */
  static final Subject PERSON =
      new SubjectBuilder()
          .withApiGroup("rbac.authorization.k8s.io")
          .withKind("User")
          .withName("alice")
          .build();

  /** The ServiceAccount app of team-a, which may read values. */
  static final Subject APP =
      new SubjectBuilder()
          .withKind("ServiceAccount")
          .withName("app")
          .withNamespace("team-a")
          .build();

  static Cluster cluster;
  static Path personKubeconfig;

  @BeforeAll
  static void start() throws Exception {
    assertThat(aws() != null)
        .as("the AWS CLI (aws) on the PATH: ./test.sh installs it with pip when it is missing")
        .isTrue();
    assertThat(LAUNCHER).as("the launcher script").isExecutable();
    cluster = Cluster.startWithEndpoint("team-a");
    for (String account : List.of("app", "other")) {
      cluster
          .client()
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withNamespace("team-a")
                  .withName(account)
                  .endMetadata()
                  .build())
          .create();
    }
    // app may read values; other may not.
    bind(
        "team-a",
        "reads-values",
        APP,
        new PolicyRuleBuilder()
            .withApiGroups("managedsecrets.dev")
            .withResources("managedsecrets/value")
            .withVerbs("get")
            .build());
    bind(
        "team-a",
        "reads-secrets",
        APP,
        new PolicyRuleBuilder()
            .withApiGroups("managedsecrets.dev")
            .withResources("managedsecrets")
            .withVerbs("get", "list")
            .build());
    // The person may make tokens of app and other, and reach the endpoint's Service port through
    // the API server's proxy (every spelling of that port, as the chart's Role names them).
    bind(
        "team-a",
        "token-of-app",
        PERSON,
        new PolicyRuleBuilder()
            .withApiGroups("")
            .withResources("serviceaccounts/token")
            .withResourceNames("app", "other")
            .withVerbs("create")
            .build());
    String svc = EmbeddedCommand.ENDPOINT_SERVICE;
    String port = String.valueOf(cluster.endpoint().port());
    bind(
        "managedsecret-system",
        "endpoint-credentials",
        PERSON,
        new PolicyRuleBuilder()
            .withApiGroups("")
            .withResources("services/proxy")
            .withResourceNames(
                svc,
                svc + ":http",
                "http:" + svc + ":http",
                svc + ":" + port,
                "http:" + svc + ":" + port)
            .withVerbs("create", "get")
            .build());
    bind(
        "team-a",
        "person-edits",
        PERSON,
        new PolicyRuleBuilder()
            .withApiGroups("managedsecrets.dev")
            .withResources("managedsecrets")
            .withVerbs("get", "list", "watch", "create", "patch", "delete")
            .build());
    personKubeconfig =
        cluster.api.writeClientCertificateKubeconfig(
            cluster.dir.resolve("person.kubeconfig"), "alice", List.of("developers"), "team-a");

    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setNamespace("team-a");
    ms.getMetadata().setName("db");
    ms.getSpec().secretName = "orders/db";
    ms.getSpec().secretString = "read-through-credential-process";
    cluster.client().resources(ManagedSecret.class).resource(ms).create();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              ManagedSecret now = cluster.managedSecret("team-a", "db");
              return now.getStatus() != null && now.getStatus().versionId != null;
            });
    history();
  }

  /**
   * orders/history: two values, so AWSPREVIOUS is v1; orders/gone and orders/restore-me, deleted
   * (in their window), each with a description and a tag.
   */
  static void history() {
    for (String name : List.of("history", "gone", "restore-me")) {
      ManagedSecret ms = new ManagedSecret();
      ms.getMetadata().setNamespace("team-a");
      ms.getMetadata().setName(name);
      ms.getSpec().secretName = "orders/" + name;
      ms.getSpec().description = "orders " + name;
      ms.getSpec().tags = List.of(new Tag("team", "orders"));
      ms.getSpec().secretString = "v1";
      cluster.client().resources(ManagedSecret.class).resource(ms).create();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                ManagedSecret now = cluster.managedSecret("team-a", name);
                return now.getStatus() != null && now.getStatus().versionId != null;
              });
    }
    String first = cluster.managedSecret("team-a", "history").getStatus().versionId;
    cluster
        .client()
        .resources(ManagedSecret.class)
        .inNamespace("team-a")
        .withName("history")
        .edit(
            ms -> {
              ms.getSpec().secretString = "v2";
              return ms;
            });
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> !first.equals(cluster.managedSecret("team-a", "history").getStatus().versionId));
    for (String name : List.of("gone", "restore-me")) {
      cluster.client().resources(ManagedSecret.class).inNamespace("team-a").withName(name).delete();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  cluster
                          .client()
                          .resources(ManagedSecret.class)
                          .inNamespace("team-a")
                          .withName(name)
                          .get()
                      == null);
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static void bind(String namespace, String name, Subject subject, PolicyRule rule) {
    cluster.bind(namespace, name, subject, rule);
  }

  static String aws() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, "aws"))) {
        return Path.of(d, "aws").toString();
      }
    }
    return null;
  }

  /**
   * {@code aws secretsmanager <args>} with the profile "person" of a fresh AWS config file, whose
   * credential_process is the plugin's credentials command with {@code options}.
   */
  static Result secretsmanager(String options, String... args) throws Exception {
    Path config = Files.createTempFile(cluster.dir, "aws", ".config");
    Files.writeString(
        config,
        "[profile person]\nregion = local\ncredential_process = "
            + LAUNCHER
            + " credentials "
            + options
            + "\n");
    List<String> command = new ArrayList<>(List.of(aws(), "secretsmanager"));
    command.addAll(List.of(args));
    command.addAll(List.of("--endpoint-url", cluster.endpoint().url()));
    return cluster.exec(
        Map.of(
            "KUBECONFIG", personKubeconfig.toString(),
            "AWS_CONFIG_FILE", config.toString(),
            "AWS_SHARED_CREDENTIALS_FILE", cluster.dir.resolve("no-credentials").toString(),
            "AWS_PROFILE", "person",
            "AWS_EC2_METADATA_DISABLED", "true"),
        null,
        null,
        command.toArray(String[]::new));
  }

  /** The plugin's credentials command, run as the person, through the embedded proxy. */
  static Result credentials(String serviceAccount, String endpointService) {
    return cluster.exec(
        Map.of("KUBECONFIG", personKubeconfig.toString()),
        null,
        null,
        LAUNCHER.toString(),
        "credentials",
        "--service-account",
        serviceAccount,
        "--endpoint-service",
        endpointService);
  }

  static JsonNode json(Result r) throws Exception {
    return JSON.readTree(r.out());
  }

  /** How the plugin reaches the endpoint: through the API server's proxy, or at its URL. */
  static List<String> endpoints() {
    return List.of(
        "--endpoint-service " + PROXIED, "-n team-a --endpoint-url " + cluster.endpoint().url());
  }

  @ParameterizedTest
  @MethodSource("endpoints")
  void theAwsCliReadsASecretWithCredentialsOfTheServiceAccount(String endpoint) throws Exception {
    Result read =
        secretsmanager(
            "--service-account app " + endpoint, "get-secret-value", "--secret-id", "orders/db");

    assertThat(read.code()).as(read.toString()).isZero();
    assertThat(json(read).path("SecretString").asText())
        .isEqualTo("read-through-credential-process");
  }

  @Test
  void theCredentialsActAsTheServiceAccountAndItsGrants() throws Exception {
    Result refused =
        secretsmanager(
            "--service-account other --endpoint-service " + PROXIED,
            "get-secret-value",
            "--secret-id",
            "orders/db");

    assertThat(refused.code()).isNotZero();
    assertThat(refused.err())
        .contains("AccessDeniedException")
        .contains("User: system:serviceaccount:team-a:other is not authorized")
        .doesNotContain("read-through-credential-process");
  }

  @Test
  void thePluginPrintsACredentialProcessAnswer() throws Exception {
    Result printed = credentials("app", PROXIED);

    assertThat(printed.code()).as(printed.toString()).isZero();
    JsonNode answer = json(printed);
    assertThat(answer.path("Version").asInt()).isEqualTo(1);
    assertThat(answer.path("AccessKeyId").asText()).startsWith("ASIA");
    assertThat(answer.path("SecretAccessKey").asText()).isNotEmpty();
    assertThat(answer.path("SessionToken").asText()).startsWith("msv1.");
    assertThat(answer.path("Expiration").asText()).endsWith("Z");
  }

  @Test
  void aServiceAccountThePersonMayNotMakeTokensOfGetsNoCredentials() throws Exception {
    cluster
        .client()
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withNamespace("team-a")
                .withName("admin-bot")
                .endMetadata()
                .build())
        .createOr(existing -> existing.update());

    Result refused = credentials("admin-bot", PROXIED);

    assertThat(refused.code()).isEqualTo(254);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err())
        .contains("AccessDeniedException")
        .contains("needs create on serviceaccounts/token");
  }

  @Test
  void withoutTheProxyGrantThePersonIsToldWhichRoleItNeeds() throws Exception {
    Result refused = credentials("app", "https:" + EmbeddedCommand.ENDPOINT_SERVICE + ":https");

    assertThat(refused.code()).isEqualTo(254);
    assertThat(refused.err()).contains("services/proxy").contains("endpoint-credentials");
  }

  /** The plugin, run as the person, reading through the endpoint as the ServiceAccount app. */
  static Result plugin(String... args) {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    return cluster.exec(
        Map.of("KUBECONFIG", personKubeconfig.toString()),
        null,
        null,
        command.toArray(String[]::new));
  }

  static final String THROUGH = "--service-account app -n team-a --endpoint-service " + PROXIED;

  /** Requests that the plugin (through the endpoint) and the AWS CLI must answer alike. */
  static List<String> sameRequests() {
    String v1 = firstVersion();
    return List.of(
        "get-secret-value --secret-id orders/history --version-stage AWSPREVIOUS",
        "get-secret-value --secret-id orders/history --version-id " + v1,
        "get-secret-value --secret-id orders/history",
        "list-secret-version-ids --secret-id orders/history --include-deprecated",
        "describe-secret --secret-id orders/history",
        "describe-secret --secret-id orders/gone",
        "list-secrets --filters Key=description,Values=orders --include-planned-deletion",
        "get-secret-value --secret-id orders/history --version-id "
            + v1
            + " --version-stage AWSCURRENT",
        "get-secret-value --secret-id orders/gone",
        "get-secret-value --secret-id orders/history --version-stage AWSPENDING",
        "get-secret-value --secret-id Inv%Name",
        "describe-secret --secret-id orders/not-there",
        "list-secret-version-ids --secret-id orders/gone",
        "list-secrets --filters Key=all,Values=hist Key=tag-key,Values=!owner",
        "list-secrets --filters Key=description,Values=!gone --include-planned-deletion",
        "get-secret-value --secret-id " + partialArn());
  }

  /** orders/history's ARN without its random suffix, as AWS takes one. */
  static String partialArn() {
    String arn = cluster.managedSecret("team-a", "history").getStatus().arn;
    return arn.substring(0, arn.length() - 7);
  }

  static String firstVersion() {
    return cluster
        .managedSecret("team-a", "history")
        .getStatus()
        .versionIdsToStages
        .entrySet()
        .stream()
        .filter(e -> e.getValue().contains("AWSPREVIOUS"))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  /**
   * The same request through the plugin (as the person, through the API server's service proxy,
   * acting as the ServiceAccount app) and through the AWS CLI (with app's credentials) gives the
   * same answer, or the same error: the endpoint answers both.
   */
  @ParameterizedTest
  @MethodSource("sameRequests")
  void thePluginThroughTheEndpointAnswersAsTheAwsCliDoes(String request) throws Exception {
    String[] args = request.split(" ");
    List<String> pluginArgs = new ArrayList<>(List.of(args));
    pluginArgs.addAll(List.of(THROUGH.split(" ")));

    Result viaPlugin = plugin(pluginArgs.toArray(String[]::new));
    Result viaAws = secretsmanager("--service-account app --endpoint-service " + PROXIED, args);

    if (viaAws.code() != 0) {
      // The same error; the exit code is the AWS CLI's own (v1 255, v2 and the plugin 254).
      assertThat(viaPlugin.code()).as(viaPlugin.toString()).isEqualTo(254);
      assertThat(viaPlugin.err().strip()).isEqualTo(viaAws.err().strip());
      return;
    }
    assertThat(viaPlugin.code()).as(viaPlugin.toString()).isZero();
    assertThat(comparable(json(viaPlugin))).isEqualTo(comparable(json(viaAws)));
  }

  /**
   * An answer with every date as an instant: the AWS CLI v1 prints the wire's epoch seconds, v2 and
   * the plugin ISO 8601 text.
   */
  static JsonNode comparable(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode v = o.get(name);
        if (name.endsWith("Date") && v.isNumber()) {
          o.put(
              name,
              Instant.ofEpochMilli(v.decimalValue().movePointRight(3).longValue()).toString());
        } else if (name.endsWith("Date") && v.isTextual()) {
          o.put(
              name,
              OffsetDateTime.parse(v.asText())
                  .toInstant()
                  .truncatedTo(ChronoUnit.MILLIS)
                  .toString());
        } else {
          comparable(v);
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(CredentialProcessIT::comparable);
    }
    return node;
  }

  /** orders/history's AWSPREVIOUS, read by the person through the endpoint as a ServiceAccount. */
  static Result previousAs(String serviceAccount) {
    return plugin(
        "get-secret-value",
        "--secret-id",
        "orders/history",
        "--version-stage",
        "AWSPREVIOUS",
        "--service-account",
        serviceAccount,
        "-n",
        "team-a",
        "--endpoint-service",
        PROXIED);
  }

  @Test
  void everyVersionIsReadThroughTheEndpointOnlyByWhomItsRbacAllows() throws Exception {
    Result previous = previousAs("app");
    assertThat(previous.code()).as(previous.toString()).isZero();
    assertThat(json(previous).path("SecretString").asText()).isEqualTo("v1");
    assertThat(json(previous).path("CreatedDate").asText()).endsWith("+00:00");

    Result refused = previousAs("other");
    assertThat(refused.code()).isEqualTo(254);
    assertThat(refused.err())
        .contains("AccessDeniedException")
        .contains("User: system:serviceaccount:team-a:other is not authorized")
        .doesNotContain("v1");

    // Without the endpoint the person's own kubeconfig reads the cluster: no store, no versions.
    Result listed =
        plugin("list-secret-version-ids", "--secret-id", "orders/history", "-n", "team-a");
    assertThat(listed.code()).isNotZero();
    assertThat(listed.err()).contains("--service-account");
  }

  @Test
  void restoreSecretThroughTheEndpointIsTheEndpointsRestoreWithWhatTheStoreKept() throws Exception {
    // app may now create, delete and tag secrets at the endpoint (its RBAC for those operations).
    bind(
        "team-a",
        "writes-secrets",
        APP,
        new PolicyRuleBuilder()
            .withApiGroups("managedsecrets.dev")
            .withResources("managedsecrets")
            .withVerbs("create", "delete", "patch")
            .build());
    Result created =
        through(
            "create-secret",
            "--name",
            "orders/kept",
            "--description",
            "orders kept",
            "--tags",
            "Key=team,Value=orders",
            "--secret-string",
            "k1");
    assertThat(created.code()).as(created.toString()).isZero();
    Result deleted =
        through("delete-secret", "--secret-id", "orders/kept", "--recovery-window-in-days", "7");
    assertThat(deleted.code()).as(deleted.toString()).isZero();
    assertThat(json(deleted).path("DeletionDate").asText()).endsWith("+00:00");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                json(through("describe-secret", "--secret-id", "orders/kept")).has("DeletedDate"));

    Result restored = through("restore-secret", "--secret-id", "orders/kept");
    assertThat(restored.code()).as(restored.toString()).isZero();
    JsonNode described = json(through("describe-secret", "--secret-id", "orders/kept"));
    assertThat(described.has("DeletedDate")).isFalse();
    assertThat(described.path("Description").asText()).isEqualTo("orders kept");
    assertThat(described.path("Tags").toString())
        .isEqualTo("[{\"Key\":\"team\",\"Value\":\"orders\"}]");

    // A secret whose value came from a spec comes back by applying its manifest again: the
    // endpoint's RestoreSecret says so, and the plugin prints its answer.
    Result refused = through("restore-secret", "--secret-id", "orders/restore-me");
    assertThat(refused.code()).isEqualTo(254);
    assertThat(refused.err())
        .contains("An error occurred (InvalidRequestException) when calling the RestoreSecret")
        .contains("apply that ManagedSecret again");
  }

  /** The plugin as the person, through the endpoint as app ({@link #THROUGH}). */
  static Result through(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(THROUGH.split(" ")));
    return plugin(all.toArray(String[]::new));
  }
}
