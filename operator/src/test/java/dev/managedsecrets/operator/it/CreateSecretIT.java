package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.SecretSource;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.api.v1alpha1.TemplatesSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The create-secret path: each value form ends as a version in the store and a projected Secret.
 */
class CreateSecretIT {

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aManagedSecretWithTheLongestNameAllowedGetsItsEvents() {
    String name = "m" + "0123456789".repeat(25) + "ab";
    assertThat(name).hasSize(253);
    create(cluster.client, managedSecret("default", name, s -> s.secretString = "v"));
    awaitSynced(cluster.client, "default", name);

    await()
        .atMost(Fixtures.WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        cluster
                            .client
                            .v1()
                            .events()
                            .inNamespace("default")
                            .list()
                            .getItems()
                            .stream()
                            .filter(e -> name.equals(e.getInvolvedObject().getName()))
                            .map(e -> e.getReason() + ": " + e.getMessage()))
                    // One Event tells what the create did.
                    .singleElement()
                    .asString()
                    .startsWith("SecretCreated: Created secret ")
                    .contains("; created version ", " as AWSCURRENT; created Secret "));
  }

  @Test
  void jsonSecretStringProjectsOneKeyPerPropertyWithLabelsOwnerAndVersion() throws Exception {
    create(
        cluster.client,
        managedSecret(
            "default",
            "my-awesome-app",
            s -> {
              s.secretName = "production/MyAwesomeAppSecret";
              s.description = "Credentials of the orders service";
              s.secretString =
                  "{\"username\":\"saanvi\",\"password\":\"aDM4N3*!8TT\",\"port\":5432}";
              s.tags = List.of(new Tag("team", "orders"), new Tag("cost center", "4711"));
            }));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "my-awesome-app");

    assertThat(ms.getStatus().name).isEqualTo("production/MyAwesomeAppSecret");
    assertThat(ms.getStatus().arn)
        .matches(
            "arn:k8s:secretsmanager:local:123456789012:secret:production/MyAwesomeAppSecret-[A-Za-z0-9]{6}");
    assertThat(ms.getStatus().versionId).isNotBlank();
    assertThat(ms.getStatus().versionIdsToStages)
        .containsExactly(Map.entry(ms.getStatus().versionId, List.of("AWSCURRENT")));
    assertThat(ms.getStatus().kmsKeyId).startsWith("arn:k8s:kms:local:123456789012:key/");
    assertThat(ms.getStatus().createdDate).isNotBlank();
    assertThat(ms.getStatus().observedGeneration).isEqualTo(ms.getMetadata().getGeneration());

    Secret projected = secret(cluster.client, "default", "my-awesome-app");
    assertThat(text(projected))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("username", "saanvi", "password", "aDM4N3*!8TT", "port", "5432"));
    assertThat(projected.getType()).isEqualTo("Opaque");
    assertThat(projected.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "managedsecret-operator")
        .containsEntry("managedsecrets.dev/secret-name", "my-awesome-app");
    assertThat(projected.getMetadata().getAnnotations())
        .containsEntry("managedsecrets.dev/version-id", ms.getStatus().versionId);
    assertThat(
            new ObjectMapper()
                .readValue(
                    projected.getMetadata().getAnnotations().get("managedsecrets.dev/tags"),
                    Map.class))
        .isEqualTo(Map.of("team", "orders", "cost center", "4711"));
    assertThat(projected.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getKind()).isEqualTo("ManagedSecret");
              assertThat(r.getUid()).isEqualTo(ms.getMetadata().getUid());
              assertThat(r.getController()).isTrue();
            });
  }

  @Test
  void plainTextSecretStringProjectsKeySecretString() {
    create(cluster.client, managedSecret("default", "plain", s -> s.secretString = "just a token"));
    awaitSynced(cluster.client, "default", "plain");
    assertThat(text(secret(cluster.client, "default", "plain")))
        .containsExactly(Map.entry("secretString", "just a token"));
  }

  @Test
  void secretBinaryProjectsKeySecretBinaryWithTheSameBytes() {
    byte[] bytes = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0, 1, 2, (byte) 0xff};
    create(
        cluster.client,
        managedSecret(
            "default", "binary", s -> s.secretBinary = Base64.getEncoder().encodeToString(bytes)));
    awaitSynced(cluster.client, "default", "binary");
    Secret projected = secret(cluster.client, "default", "binary");
    assertThat(projected.getData()).containsOnlyKeys("secretBinary");
    assertThat(Base64.getDecoder().decode(projected.getData().get("secretBinary")))
        .isEqualTo(bytes);
  }

  @Test
  void dataGenerateDatabaseAndTemplateMakeOneJsonValueAndRenderedKeys() {
    GenerateSpec password = new GenerateSpec();
    password.passwordLength = 24;
    password.excludeCharacters = "/@\"'\\:";
    create(
        cluster.client,
        managedSecret(
            "default",
            "orders-db",
            s -> {
              s.data = Map.of("username", "orders_app");
              s.generate = Map.of("password", password);
              s.database = new DatabaseSpec();
              s.database.engine = "postgres";
              s.database.host = "db.internal";
              s.database.dbname = "orders";
              s.target = new TargetSpec();
              s.target.name = "orders-db-credentials";
              s.target.type = "kubernetes.io/basic-auth";
              s.target.labels = Map.of("app", "orders");
              s.target.annotations = Map.of("team", "orders");
              s.target.template =
                  Map.of(
                      "DATABASE_URL",
                      "postgres://{{username}}:{{password}}@{{host}}:{{port}}/{{dbname}}");
            }));
    awaitSynced(cluster.client, "default", "orders-db");
    Secret projected = secret(cluster.client, "default", "orders-db-credentials");
    Map<String, String> data = text(projected);
    assertThat(data)
        .containsKeys("username", "password", "engine", "host", "port", "dbname", "DATABASE_URL");
    assertThat(data.get("password")).hasSize(24).doesNotContainAnyWhitespaces();
    assertThat(data.get("password")).doesNotContain("/", "@", "\"", "'", "\\", ":");
    assertThat(data.get("port")).isEqualTo("5432");
    assertThat(data.get("engine")).isEqualTo("postgres");
    assertThat(data.get("DATABASE_URL"))
        .isEqualTo("postgres://orders_app:" + data.get("password") + "@db.internal:5432/orders");
    assertThat(projected.getType()).isEqualTo("kubernetes.io/basic-auth");
    assertThat(projected.getMetadata().getLabels()).containsEntry("app", "orders");
    assertThat(projected.getMetadata().getAnnotations()).containsEntry("team", "orders");
  }

  @Test
  void templatesOfTheLanguageRenderRegistryCredentialsAndAnHtpasswdLineThatStayTheSame() {
    create(
        cluster.client,
        managedSecret(
            "default",
            "registry-login",
            s -> {
              s.data = Map.of("username", "robot", "password", "p#ss:w%rd");
              s.target = new TargetSpec();
              s.target.type = "kubernetes.io/dockerconfigjson";
              s.target.templates = new TemplatesSpec();
              s.target.templates.engineVersion = "v1";
              s.target.templates.data =
                  Map.of(
                      ".dockerconfigjson",
                      "{{ dockerConfigJson('registry.example.com', username, password) }}",
                      "auth",
                      "{{ htpasswd(username, password) }}",
                      "url",
                      "https://{{ username | urlencode }}:{{ password | urlencode }}@example.com/");
            }));
    awaitSynced(cluster.client, "default", "registry-login");
    Map<String, String> data = text(secret(cluster.client, "default", "registry-login"));
    assertThat(data.get("url")).isEqualTo("https://robot:p%23ss%3Aw%25rd@example.com/");
    assertThat(data.get(".dockerconfigjson"))
        .contains(
            "\"auth\":\""
                + Base64.getEncoder().encodeToString("robot:p#ss:w%rd".getBytes())
                + "\"");
    String line = data.get("auth");
    assertThat(line).startsWith("robot:$2y$10$");
    assertThat(
            org.bouncycastle.crypto.generators.OpenBSDBCrypt.checkPassword(
                line.substring("robot:".length()), "p#ss:w%rd".toCharArray()))
        .isTrue();

    // A change of the target's labels projects again: the hash, salted from the operator's key,
    // is the same text.
    Fixtures.edit(
        cluster.client,
        "default",
        "registry-login",
        s -> s.target.labels = Map.of("team", "platform"));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                "platform"
                    .equals(
                        secret(cluster.client, "default", "registry-login")
                            .getMetadata()
                            .getLabels()
                            .get("team")));
    assertThat(text(secret(cluster.client, "default", "registry-login")).get("auth"))
        .isEqualTo(line);
  }

  @Test
  void generatedPasswordIsKeptWhenOtherKeysChange() {
    create(
        cluster.client,
        managedSecret(
            "default",
            "kept-password",
            s -> {
              s.data = Map.of("username", "first");
              s.generate = Map.of("password", new GenerateSpec());
            }));
    String versionBefore =
        awaitSynced(cluster.client, "default", "kept-password").getStatus().versionId;
    String password = text(secret(cluster.client, "default", "kept-password")).get("password");
    assertThat(password).hasSize(32);

    Fixtures.edit(
        cluster.client, "default", "kept-password", s -> s.data = Map.of("username", "second"));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                "second"
                    .equals(
                        text(secret(cluster.client, "default", "kept-password")).get("username")));
    ManagedSecret after = awaitSynced(cluster.client, "default", "kept-password");
    assertThat(after.getStatus().versionId).isNotEqualTo(versionBefore);
    assertThat(text(secret(cluster.client, "default", "kept-password")).get("password"))
        .isEqualTo(password);
  }

  @Test
  void fromSecretTakesTheValueOfASecretInTheSameNamespaceAndFollowsIt() {
    cluster
        .client
        .secrets()
        .inNamespace("team-a")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("source")
                .endMetadata()
                .addToData("user", Fixtures.b64("alice"))
                .addToData("pass", Fixtures.b64("one"))
                .build())
        .create();
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "copied",
            s -> {
              s.fromSecret = new SecretSource();
              s.fromSecret.name = "source";
            }));
    awaitSynced(cluster.client, "team-a", "copied");
    assertThat(text(secret(cluster.client, "team-a", "copied")))
        .containsExactlyInAnyOrderEntriesOf(Map.of("user", "alice", "pass", "one"));

    cluster
        .client
        .secrets()
        .inNamespace("team-a")
        .withName("source")
        .edit(s -> new SecretBuilder(s).addToData("pass", Fixtures.b64("two")).build());
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> "two".equals(text(secret(cluster.client, "team-a", "copied")).get("pass")));
  }

  @Test
  void fromSecretWithKeyTakesThatKeyAsTheWholeValue() {
    cluster
        .client
        .secrets()
        .inNamespace("team-a")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tls-source")
                .endMetadata()
                .addToData("token", Fixtures.b64("abc123"))
                .build())
        .create();
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "one-key",
            s -> {
              s.fromSecret = new SecretSource();
              s.fromSecret.name = "tls-source";
              s.fromSecret.key = "token";
            }));
    awaitSynced(cluster.client, "team-a", "one-key");
    assertThat(text(secret(cluster.client, "team-a", "one-key")))
        .containsExactly(Map.entry("secretString", "abc123"));
  }

  @Test
  void aSecretWithNoValueIsReadyWithNoVersionAndNoProjection() {
    create(
        cluster.client, managedSecret("default", "empty", s -> s.description = "filled in later"));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "empty");
    assertThat(ms.getStatus().versionId).isNull();
    assertThat(ms.getStatus().arn).isNotBlank();
    assertThat(secret(cluster.client, "default", "empty")).isNull();
  }

  @Test
  void storeAndKeyringLiveInTheOperatorNamespaceNeverInTheTenants() {
    create(cluster.client, managedSecret("team-b", "tenant", s -> s.secretString = "v"));
    awaitSynced(cluster.client, "team-b", "tenant");
    List<Secret> tenantSecrets = cluster.client.secrets().inNamespace("team-b").list().getItems();
    assertThat(tenantSecrets).extracting(s -> s.getMetadata().getName()).containsExactly("tenant");
    List<Secret> store =
        cluster.client.secrets().inNamespace(TestCluster.OPERATOR_NAMESPACE).list().getItems();
    assertThat(store)
        .extracting(Secret::getType)
        .contains("managedsecrets.dev/store", "managedsecrets.dev/keyring");
  }
}
