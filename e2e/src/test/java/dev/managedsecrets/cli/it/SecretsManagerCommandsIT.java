package dev.managedsecrets.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.Cli;
import dev.managedsecrets.cli.Cli.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every subcommand against the embedded API server with the real operator running, in this JVM; the
 * plugin is run in-process with captured output, as a user runs it.
 */
@Timeout(120)
class SecretsManagerCommandsIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  static final String DATE = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?\\+00:00";

  static Cluster cluster;
  static Cli cli;
  static final List<Result> transcript = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = Cluster.start("team-a");
    cli = cluster.cli();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Result run(String... args) {
    Result r = cli.run(args);
    synchronized (transcript) {
      transcript.add(r);
    }
    return r;
  }

  static JsonNode ok(String... args) throws Exception {
    Result r = run(args);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).as(r.toString()).isEmpty();
    return JSON.readTree(r.out());
  }

  static String arnPattern(String name) {
    return Pattern.quote(Cluster.ARN_PREFIX + name) + "-[A-Za-z0-9]{6}";
  }

  @Test
  void createSecretDerivesTheObjectNameWaitsUntilReadyAndPrintsArnNameAndVersionId()
      throws Exception {
    Result r =
        run(
            "create-secret",
            "--name",
            "production/MyAwesomeAppSecret",
            "--description",
            "Orders database",
            "--secret-string",
            "{\"username\":\"saanvi\",\"password\":\"aDM4N3*!8TT\"}");
    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode out = JSON.readTree(r.out());
    String arn = out.get("ARN").asText();
    String versionId = out.get("VersionId").asText();
    assertThat(arn).matches(arnPattern("production/MyAwesomeAppSecret"));
    assertThat(versionId).matches(UUID);
    assertThat(r.out())
        .isEqualTo(
            """
            {
                "ARN": "%s",
                "Name": "production/MyAwesomeAppSecret",
                "VersionId": "%s"
            }
            """
                .formatted(arn, versionId));
    assertThat(r.err()).isEmpty();

    ManagedSecret ms = cluster.managedSecret("default", "production-myawesomeappsecret");
    assertThat(ms.getSpec().secretName).isEqualTo("production/MyAwesomeAppSecret");
    assertThat(ms.getSpec().description).isEqualTo("Orders database");
    assertThat(ms.getStatus().arn).isEqualTo(arn);
    assertThat(ms.getStatus().versionId).isEqualTo(versionId);
    // The value is sealed for the operator: nothing of it is in the custom resource.
    assertThat(ms.getSpec().secretString).isNull();
    assertThat(ms.getSpec().sealedSecretString).startsWith("msv1.");
    assertThat(JSON.writeValueAsString(ms)).doesNotContain("saanvi", "aDM4N3*!8TT");
    assertThat(
            ok("get-secret-value", "--secret-id", "production/MyAwesomeAppSecret")
                .get("SecretString")
                .asText())
        .isEqualTo("{\"password\":\"aDM4N3*!8TT\",\"username\":\"saanvi\"}");
  }

  @Test
  void describeSecretPrintsTheFieldsOfDescribeSecretInAwsOrder() throws Exception {
    JsonNode created =
        ok(
            "create-secret",
            "--name",
            "describe/me",
            "--description",
            "Shown",
            "--secret-string",
            "v1",
            "--tags",
            "Key=team,Value=orders",
            "Key=env,Value=prod");
    Result r = run("describe-secret", "--secret-id", "describe/me");
    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode d = JSON.readTree(r.out());
    assertThat(d.get("LastChangedDate").asText()).matches(DATE);
    assertThat(d.get("CreatedDate").asText()).matches(DATE);
    assertThat(r.out())
        .isEqualTo(
            """
            {
                "ARN": "%s",
                "Name": "describe/me",
                "Description": "Shown",
                "LastChangedDate": "%s",
                "Tags": [
                    {
                        "Key": "team",
                        "Value": "orders"
                    },
                    {
                        "Key": "env",
                        "Value": "prod"
                    }
                ],
                "VersionIdsToStages": {
                    "%s": [
                        "AWSCURRENT"
                    ]
                },
                "CreatedDate": "%s"
            }
            """
                .formatted(
                    created.get("ARN").asText(),
                    d.get("LastChangedDate").asText(),
                    created.get("VersionId").asText(),
                    d.get("CreatedDate").asText()));

    // by ARN and by partial ARN (without the random suffix), as AWS finds secrets
    String arn = created.get("ARN").asText();
    assertThat(ok("describe-secret", "--secret-id", arn).get("Name").asText())
        .isEqualTo("describe/me");
    assertThat(
            ok("describe-secret", "--secret-id", arn.substring(0, arn.length() - 7))
                .get("Name")
                .asText())
        .isEqualTo("describe/me");
  }

  @Test
  void describeSecretOfASecretThatDoesNotExistIsResourceNotFoundWithExitCode254() {
    Result r = run("describe-secret", "--secret-id", "no/such/secret");
    assertThat(r.code()).isEqualTo(254);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (ResourceNotFoundException) when calling the DescribeSecret"
                + " operation: Secrets Manager can't find the specified secret.\n");
  }

  @Test
  void tagsAreReadInBothAwsFormsAndTagResourceAndUntagResourceChangeThem() throws Exception {
    ok(
        "create-secret",
        "--name",
        "tagged",
        "--secret-string",
        "x",
        "--tags",
        "[{\"Key\":\"team\",\"Value\":\"orders\"},{\"Key\":\"cost center\",\"Value\":\"4 2\"}]");
    assertThat(ok("describe-secret", "--secret-id", "tagged").get("Tags").toString())
        .isEqualTo(
            "[{\"Key\":\"team\",\"Value\":\"orders\"},{\"Key\":\"cost center\",\"Value\":\"4 2\"}]");

    Result tag =
        run(
            "tag-resource",
            "--secret-id",
            "tagged",
            "--tags",
            "Key=team,Value=payments",
            "Key=x,Value=");
    assertThat(tag.code()).as(tag.toString()).isZero();
    assertThat(tag.out()).isEmpty(); // TagResource has no output
    assertThat(ok("describe-secret", "--secret-id", "tagged").get("Tags").toString())
        .isEqualTo(
            "[{\"Key\":\"cost center\",\"Value\":\"4 2\"},{\"Key\":\"team\",\"Value\":\"payments\"},"
                + "{\"Key\":\"x\",\"Value\":\"\"}]");

    Result untag = run("untag-resource", "--secret-id", "tagged", "--tag-keys", "[\"team\",\"x\"]");
    assertThat(untag.code()).as(untag.toString()).isZero();
    assertThat(ok("describe-secret", "--secret-id", "tagged").get("Tags").toString())
        .isEqualTo("[{\"Key\":\"cost center\",\"Value\":\"4 2\"}]");
    run("untag-resource", "--secret-id", "tagged", "--tag-keys", "cost center");
    // The last tag removed: Tags [], as AWS answers (LocalStack's test_secret_tags, recorded).
    assertThat(ok("describe-secret", "--secret-id", "tagged").get("Tags").toString())
        .isEqualTo("[]");
    ok("create-secret", "--name", "never-tagged", "--secret-string", "x");
    assertThat(ok("describe-secret", "--secret-id", "never-tagged").has("Tags")).isFalse();
  }

  @Test
  void aSecretIdWithCharactersNoNameMayHaveIsValidationExceptionAsAwsAnswersIt() {
    for (String command : List.of("describe-secret", "get-secret-value", "delete-secret")) {
      Result r = run(command, "--secret-id", "Inv Name");
      assertThat(r.code()).as(r.toString()).isEqualTo(254);
      assertThat(r.err())
          .contains("An error occurred (ValidationException) when calling the ")
          .contains(
              "Invalid name. Must be a valid name containing alphanumeric characters, or any of"
                  + " the following: -/_+=.@!");
    }
  }

  @Test
  void aReservedTagKeyIsRefusedBeforeAnythingIsWritten() {
    Result r =
        run(
            "create-secret",
            "--name",
            "reserved",
            "--secret-string",
            "x",
            "--tags",
            "Key=aws:x,Value=1");
    assertThat(r.code()).isEqualTo(254);
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (InvalidParameterException) when calling the CreateSecret operation:"
                + " Tag key aws:x starts with aws:, which is reserved for AWS use.\n");
    assertThat(cluster.managedSecret("default", "reserved")).isNull();
  }

  @Test
  void getSecretValueReturnsTheProjectedValueAsWrittenWithItsVersionAndStages() throws Exception {
    // A spec that holds its value in plain text (as kubectl apply may write one): printed as
    // written.
    String value = "{\"username\": \"saanvi\", \"port\": 5432, \"nested\": {\"a\": [1, 2]}}";
    ManagedSecret plain = new ManagedSecret();
    plain.getMetadata().setName("value-json");
    plain.getMetadata().setNamespace("default");
    plain.getSpec().secretName = "value/json";
    plain.getSpec().secretString = value;
    cluster.client().resources(ManagedSecret.class).resource(plain).create();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ManagedSecret ms = cluster.managedSecret("default", "value-json");
              return ms.getStatus() != null && ms.getStatus().versionId != null;
            });
    ManagedSecret stored = cluster.managedSecret("default", "value-json");
    JsonNode created =
        JSON.createObjectNode()
            .put("ARN", stored.getStatus().arn)
            .put("VersionId", stored.getStatus().versionId);
    Result r = run("get-secret-value", "--secret-id", "value/json");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .isEqualTo(
            """
            {
                "ARN": "%s",
                "Name": "value/json",
                "VersionId": "%s",
                "SecretString": "{\\"username\\": \\"saanvi\\", \\"port\\": 5432, \\"nested\\": {\\"a\\": [1, 2]}}",
                "VersionStages": [
                    "AWSCURRENT"
                ]
            }
            """
                .formatted(created.get("ARN").asText(), created.get("VersionId").asText()));

    // --query and --output text, as scripts read values
    Result text =
        run(
            "get-secret-value",
            "--secret-id",
            "value/json",
            "--query",
            "SecretString",
            "-o",
            "text");
    assertThat(text.out()).isEqualTo(value + "\n");
  }

  @Test
  void aJsonValueSealedByCreateSecretIsReadBackFromItsProjectedKeys() throws Exception {
    // The plugin seals the value: the custom resource no longer holds its text, so the value is
    // rebuilt from the projected Secret's keys (sorted), as for data and generate values.
    ok(
        "create-secret",
        "--name",
        "value/sealed-json",
        "--secret-string",
        "{\"username\": \"saanvi\", \"password\": \"p\"}");
    assertThat(
            ok("get-secret-value", "--secret-id", "value/sealed-json").get("SecretString").asText())
        .isEqualTo("{\"password\":\"p\",\"username\":\"saanvi\"}");
  }

  @Test
  void getSecretValueServesOnlyTheProjectedVersionAndRefusesOthersWithAwsText() throws Exception {
    JsonNode first = ok("create-secret", "--name", "value/versions", "--secret-string", "one");
    JsonNode second =
        ok("put-secret-value", "--secret-id", "value/versions", "--secret-string", "two");
    String v1 = first.get("VersionId").asText();
    String v2 = second.get("VersionId").asText();

    assertThat(
            ok("get-secret-value", "--secret-id", "value/versions", "--version-id", v2)
                .get("SecretString")
                .asText())
        .isEqualTo("two");
    assertThat(
            ok("get-secret-value", "--secret-id", "value/versions", "--version-stage", "AWSCURRENT")
                .get("SecretString")
                .asText())
        .isEqualTo("two");

    Result previous =
        run("get-secret-value", "--secret-id", "value/versions", "--version-stage", "AWSPREVIOUS");
    assertThat(previous.code()).isEqualTo(254);
    assertThat(previous.err())
        .isEqualTo(
            "An error occurred (ResourceNotFoundException) when calling the GetSecretValue"
                + " operation: Secrets Manager can't find the specified secret value for staging"
                + " label: AWSPREVIOUS\n");
    Result old = run("get-secret-value", "--secret-id", "value/versions", "--version-id", v1);
    assertThat(old.code()).isEqualTo(254);
    assertThat(old.err())
        .isEqualTo(
            "An error occurred (ResourceNotFoundException) when calling the GetSecretValue"
                + " operation: Secrets Manager can't find the specified secret value for"
                + " VersionId: "
                + v1
                + "\n");
  }

  /** put-secret-value of "new" to put/me with {@code token}. */
  private static Result putNewWithToken(String token) {
    return run(
        "put-secret-value",
        "--secret-id",
        "put/me",
        "--secret-string",
        "new",
        "--client-request-token",
        token);
  }

  @Test
  void putSecretValuePrintsTheNewVersionOnceReadyAndAwsPreviousFollows() throws Exception {
    JsonNode created = ok("create-secret", "--name", "put/me", "--secret-string", "old");
    String token = "a".repeat(16) + "-" + "b".repeat(16);
    Result r = putNewWithToken(token);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .isEqualTo(
            """
            {
                "ARN": "%s",
                "Name": "put/me",
                "VersionId": "%s",
                "VersionStages": [
                    "AWSCURRENT"
                ]
            }
            """
                .formatted(created.get("ARN").asText(), token));
    JsonNode stages = ok("describe-secret", "--secret-id", "put/me").get("VersionIdsToStages");
    assertThat(stages.get(token).toString()).isEqualTo("[\"AWSCURRENT\"]");
    assertThat(stages.get(created.get("VersionId").asText()).toString())
        .isEqualTo("[\"AWSPREVIOUS\"]");
    assertThat(ok("get-secret-value", "--secret-id", "put/me").get("SecretString").asText())
        .isEqualTo("new");

    // The same value again: no new version without a token (the value lives in the spec)...
    assertThat(
            ok("put-secret-value", "--secret-id", "put/me", "--secret-string", "new")
                .get("VersionId")
                .asText())
        .isEqualTo(token);
    // ...and a new one with a new token, as AWS makes one for each call with a new token.
    String next = "c".repeat(16) + "-" + "d".repeat(16);
    Result again = putNewWithToken(next);
    assertThat(JSON.readTree(again.out()).get("VersionId").asText()).isEqualTo(next);
    JsonNode after = ok("describe-secret", "--secret-id", "put/me").get("VersionIdsToStages");
    assertThat(after.get(next).toString()).isEqualTo("[\"AWSCURRENT\"]");
    assertThat(after.get(token).toString()).isEqualTo("[\"AWSPREVIOUS\"]");
  }

  @Test
  void aSecretWithoutValueHasNoVersionAndNoValueToGet() throws Exception {
    Result r = run("create-secret", "--name", "empty", "--description", "filled later");
    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode out = JSON.readTree(r.out());
    assertThat(out.fieldNames()).toIterable().containsExactly("ARN", "Name");
    Result value = run("get-secret-value", "--secret-id", "empty");
    assertThat(value.code()).isEqualTo(254);
    assertThat(value.err())
        .isEqualTo(
            "An error occurred (ResourceNotFoundException) when calling the GetSecretValue"
                + " operation: Secrets Manager can't find the specified secret value for staging"
                + " label: AWSCURRENT\n");
    JsonNode first = ok("put-secret-value", "--secret-id", "empty", "--secret-string", "now");
    assertThat(first.get("VersionStages").toString()).isEqualTo("[\"AWSCURRENT\"]");
  }

  @Test
  void putSecretValuePlacesCustomVersionStagesOnTheNewVersion() throws Exception {
    ok("create-secret", "--name", "custom/stages", "--secret-string", "a");
    JsonNode put =
        ok(
            "put-secret-value",
            "--secret-id",
            "custom/stages",
            "--secret-string",
            "b",
            "--version-stages",
            "AWSCURRENT",
            "green");
    assertThat(put.get("VersionStages").toString()).isEqualTo("[\"AWSCURRENT\",\"green\"]");
    assertThat(
            ok("get-secret-value", "--secret-id", "custom/stages", "--version-stage", "green")
                .get("SecretString")
                .asText())
        .isEqualTo("b");
    Result refused =
        run(
            "put-secret-value",
            "--secret-id",
            "custom/stages",
            "--secret-string",
            "c",
            "--version-stages",
            "green");
    assertThat(refused.code()).isEqualTo(254);
    assertThat(refused.err())
        .startsWith(
            "An error occurred (InvalidRequestException) when calling the PutSecretValue operation: ");
  }

  @Test
  void noWaitReturnsOnceTheObjectIsWrittenAndTheOperatorCatchesUp() throws Exception {
    String token = "d".repeat(32);
    JsonNode out =
        ok(
            "create-secret",
            "--name",
            "nowait",
            "--secret-string",
            "x",
            "--client-request-token",
            token,
            "--no-wait");
    assertThat(out.toString()).isEqualTo("{\"Name\":\"nowait\",\"VersionId\":\"" + token + "\"}");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(ok("describe-secret", "--secret-id", "nowait").has("VersionIdsToStages"))
                    .isTrue());
  }

  @Test
  void restoreSecretByArnRestoresThatSecret() throws Exception {
    JsonNode created = ok("create-secret", "--name", "restore/arn", "--secret-string", "x");
    String arn = created.get("ARN").asText();
    ok("delete-secret", "--secret-id", arn);
    JsonNode restored = ok("restore-secret", "--secret-id", arn);
    assertThat(restored.get("ARN").asText()).isEqualTo(arn);
    assertThat(ok("get-secret-value", "--secret-id", arn).get("SecretString").asText())
        .isEqualTo("x");
  }

  @Test
  void fileAndFilebValuesAreReadAsTheAwsCliReadsThem() throws Exception {
    Path dir = Files.createTempDirectory(cluster.dir, "values");
    Path text = dir.resolve("value.txt");
    Files.writeString(text, "line one\nline two\n", StandardCharsets.UTF_8);
    Path json = dir.resolve("value.json");
    Files.writeString(json, "{\"api\":\"key-1\"}\n", StandardCharsets.UTF_8);
    Path binary = dir.resolve("value.bin");
    byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe, 10};
    Files.write(binary, bytes);

    ok("create-secret", "--name", "files/text", "--secret-string", "file://" + text);
    assertThat(ok("get-secret-value", "--secret-id", "files/text").get("SecretString").asText())
        .isEqualTo("line one\nline two\n");
    // A JSON object is projected key by key, and its sealed text is in no custom resource: it is
    // read back from the projected keys.
    ok("create-secret", "--name", "files/json", "--secret-string", "file://" + json);
    assertThat(ok("get-secret-value", "--secret-id", "files/json").get("SecretString").asText())
        .isEqualTo("{\"api\":\"key-1\"}");

    ok("create-secret", "--name", "files/binary", "--secret-binary", "fileb://" + binary);
    ManagedSecret ms = cluster.managedSecret("default", "files-binary");
    assertThat(ms.getSpec().secretBinary).isNull();
    assertThat(ms.getSpec().sealedSecretBinary).startsWith("msv1.");
    assertThat(JSON.writeValueAsString(ms))
        .doesNotContain(Base64.getEncoder().encodeToString(bytes));
    JsonNode value = ok("get-secret-value", "--secret-id", "files/binary");
    assertThat(value.has("SecretString")).isFalse();
    assertThat(Base64.getDecoder().decode(value.get("SecretBinary").asText())).isEqualTo(bytes);
  }

  @Test
  void aMissingFileIsAParameterErrorWithExitCode252AndCreatesNothing() {
    Result r =
        run(
            "create-secret",
            "--name",
            "files/missing",
            "--secret-string",
            "file:///no/such/file.json");
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.err())
        .isEqualTo(
            "Error parsing parameter '--secret-string': Unable to load paramfile"
                + " file:///no/such/file.json: No such file or directory: '/no/such/file.json'\n");
    assertThat(cluster.managedSecret("default", "files-missing")).isNull();
  }

  @Test
  void aNameWithNothingToMakeAnObjectNameFromIsRefusedAndResourceNameChoosesOne() throws Exception {
    Result r = run("create-secret", "--name", "//__//", "--secret-string", "x");
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.err())
        .isEqualTo(
            "Parameter validation failed:\nInvalid value for parameter Name: \"//__//\" has no"
                + " letter or digit to make a Kubernetes object name from; choose one with"
                + " --resource-name.\n");

    JsonNode created =
        ok(
            "create-secret",
            "--name",
            "//__//",
            "--secret-string",
            "x",
            "--resource-name",
            "slashes");
    assertThat(created.get("ARN").asText()).matches(arnPattern("//__//"));
    assertThat(cluster.managedSecret("default", "slashes").getSpec().secretName)
        .isEqualTo("//__//");
  }

  @Test
  void putSecretValueOnASealedValueReplacesTheSealedFieldWhateverFormItHad() throws Exception {
    ok("create-secret", "--name", "sealed/put", "--secret-string", "first");
    ManagedSecret ms = cluster.managedSecret("default", "sealed-put");
    assertThat(ms.getSpec().sealedSecretString).startsWith("msv1.");

    byte[] bytes = {9, 8, 7};
    ok(
        "put-secret-value",
        "--secret-id",
        "sealed/put",
        "--secret-binary",
        Base64.getEncoder().encodeToString(bytes));
    ms = cluster.managedSecret("default", "sealed-put");
    assertThat(ms.getSpec().sealedSecretString).isNull();
    assertThat(ms.getSpec().sealedSecretBinary).startsWith("msv1.");
    assertThat(ms.getSpec().secretBinary).isNull();
    assertThat(
            Base64.getDecoder()
                .decode(
                    ok("get-secret-value", "--secret-id", "sealed/put")
                        .get("SecretBinary")
                        .asText()))
        .isEqualTo(bytes);

    // key/value pairs sealed namespace-wide (as seal writes them) give way to the whole value
    Result sealed =
        cli.runWithInput(
            """
            apiVersion: managedsecrets.dev/v1alpha1
            kind: ManagedSecret
            metadata: {name: sealed-put, namespace: default}
            spec:
              data: {k: pairs}
            """,
            "seal",
            "--scope",
            "namespace-wide");
    assertThat(sealed.code()).as(sealed.toString()).isZero();
    JsonNode pairs = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(sealed.out());
    cluster
        .client()
        .resources(ManagedSecret.class)
        .inNamespace("default")
        .withName("sealed-put")
        .edit(
            m -> {
              m.getSpec().sealedSecretBinary = null;
              m.getSpec().sealedScope = "namespace-wide";
              m.getSpec().sealedData = Map.of("k", pairs.at("/spec/sealedData/k").asText());
              return m;
            });
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                JSON.readTree(run("get-secret-value", "--secret-id", "sealed/put").out())
                    .path("SecretString")
                    .asText()
                    .equals("{\"k\":\"pairs\"}"));
    ok("put-secret-value", "--secret-id", "sealed/put", "--secret-string", "second");
    ms = cluster.managedSecret("default", "sealed-put");
    assertThat(ms.getSpec().data).isNull();
    assertThat(ms.getSpec().sealedData).isNull();
    assertThat(ms.getSpec().sealedScope).isNull();
    assertThat(ms.getSpec().sealedSecretBinary).isNull();
    assertThat(ms.getSpec().sealedSecretString).startsWith("msv1.");
    assertThat(ms.getSpec().clientRequestToken).isNull();
    assertThat(JSON.writeValueAsString(ms)).doesNotContain("second", "first");
    assertThat(ok("get-secret-value", "--secret-id", "sealed/put").get("SecretString").asText())
        .isEqualTo("second");

    ok("update-secret", "--secret-id", "sealed/put", "--secret-string", "third");
    ms = cluster.managedSecret("default", "sealed-put");
    assertThat(ms.getSpec().sealedSecretString).startsWith("msv1.");
    assertThat(JSON.writeValueAsString(ms)).doesNotContain("third");
    assertThat(ok("get-secret-value", "--secret-id", "sealed/put").get("SecretString").asText())
        .isEqualTo("third");
  }

  @Test
  void aSecondSecretWithTheSameNameIsResourceExists() throws Exception {
    ok("create-secret", "--name", "twice", "--secret-string", "x");
    Result r =
        run(
            "create-secret",
            "--name",
            "twice",
            "--secret-string",
            "y",
            "--resource-name",
            "twice-2");
    assertThat(r.code()).isEqualTo(254);
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (ResourceExistsException) when calling the CreateSecret operation:"
                + " The operation failed because the secret twice already exists.\n");
    assertThat(cluster.managedSecret("default", "twice-2")).isNull();
  }

  @Test
  void createSecretWithTheSameClientRequestTokenAndValueIsIdempotent() throws Exception {
    String token = "c".repeat(40);
    JsonNode first =
        ok(
            "create-secret",
            "--name",
            "idempotent",
            "--secret-string",
            "x",
            "--client-request-token",
            token);
    assertThat(first.get("VersionId").asText()).isEqualTo(token);
    JsonNode again =
        ok(
            "create-secret",
            "--name",
            "idempotent",
            "--secret-string",
            "x",
            "--client-request-token",
            token);
    assertThat(again).isEqualTo(first);
  }

  @Test
  void aFailureReportedByTheOperatorIsPrintedWithItsExceptionNameAndNothingIsLeft() {
    Result r =
        run(
            "create-secret",
            "--name",
            "bad/key",
            "--secret-string",
            "x",
            "--kms-key-id",
            "alias/nope");
    assertThat(r.code()).as(r.toString()).isEqualTo(254);
    assertThat(r.err())
        .startsWith(
            "An error occurred (ResourceNotFoundException) when calling the CreateSecret operation: ");
    assertThat(r.out()).isEmpty();
    assertThat(cluster.managedSecret("default", "bad-key")).isNull();
  }

  @Test
  void replicaRegionsAreRefusedWithInvalidRequestAndNothingIsCreated() {
    Result r =
        run(
            "create-secret",
            "--name",
            "replicated",
            "--secret-string",
            "x",
            "--add-replica-regions",
            "Region=eu-west-1",
            "--force-overwrite-replica-secret");
    assertThat(r.code()).isEqualTo(254);
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (InvalidRequestException) when calling the CreateSecret operation:"
                + " Replica regions are not supported by this operator yet: nothing was created."
                + " Create the secret without --add-replica-regions.\n");
    assertThat(cluster.managedSecret("default", "replicated")).isNull();
  }

  @Test
  void updateSecretChangesTheDescriptionWithoutAVersionAndTheValueWithOne() throws Exception {
    JsonNode created = ok("create-secret", "--name", "update/me", "--secret-string", "a");
    Result description = run("update-secret", "--secret-id", "update/me", "--description", "New");
    assertThat(description.out())
        .isEqualTo(
            """
            {
                "ARN": "%s",
                "Name": "update/me"
            }
            """
                .formatted(created.get("ARN").asText()));
    JsonNode d = ok("describe-secret", "--secret-id", "update/me");
    assertThat(d.get("Description").asText()).isEqualTo("New");
    assertThat(d.get("VersionIdsToStages").size()).isEqualTo(1);

    JsonNode withValue = ok("update-secret", "--secret-id", "update/me", "--secret-string", "b");
    assertThat(withValue.get("VersionId").asText())
        .matches(UUID)
        .isNotEqualTo(created.get("VersionId").asText());
    assertThat(ok("get-secret-value", "--secret-id", "update/me").get("SecretString").asText())
        .isEqualTo("b");
  }

  @Test
  void updateSecretVersionStageNeedsRemoveFromVersionIdToMoveAwsCurrentAndThenRollsBack()
      throws Exception {
    String v1 =
        ok("create-secret", "--name", "stages", "--secret-string", "one").get("VersionId").asText();
    String v2 =
        ok("put-secret-value", "--secret-id", "stages", "--secret-string", "two")
            .get("VersionId")
            .asText();

    Result refused =
        run(
            "update-secret-version-stage",
            "--secret-id",
            "stages",
            "--version-stage",
            "AWSCURRENT",
            "--move-to-version-id",
            v1);
    assertThat(refused.code()).isEqualTo(254);
    assertThat(refused.err())
        .isEqualTo(
            "An error occurred (InvalidParameterException) when calling the"
                + " UpdateSecretVersionStage operation: The parameter RemoveFromVersionId can't be"
                + " empty. Staging label AWSCURRENT is currently attached to version "
                + v2
                + ", so you must explicitly reference that version in RemoveFromVersionId.\n");

    JsonNode moved =
        ok(
            "update-secret-version-stage",
            "--secret-id",
            "stages",
            "--version-stage",
            "AWSCURRENT",
            "--move-to-version-id",
            v1,
            "--remove-from-version-id",
            v2);
    assertThat(moved.fieldNames()).toIterable().containsExactly("ARN", "Name");
    JsonNode stages = ok("describe-secret", "--secret-id", "stages").get("VersionIdsToStages");
    assertThat(stages.get(v1).toString()).isEqualTo("[\"AWSCURRENT\"]");
    assertThat(stages.get(v2).toString()).isEqualTo("[\"AWSPREVIOUS\"]");
    JsonNode value = ok("get-secret-value", "--secret-id", "stages");
    assertThat(value.get("SecretString").asText()).isEqualTo("one");
    assertThat(value.get("VersionId").asText()).isEqualTo(v1);

    // a custom label on the previous version, then removed again
    ok(
        "update-secret-version-stage",
        "--secret-id",
        "stages",
        "--version-stage",
        "blue",
        "--move-to-version-id",
        v2);
    assertThat(
            ok("describe-secret", "--secret-id", "stages")
                .get("VersionIdsToStages")
                .get(v2)
                .toString())
        .contains("blue");
    ok(
        "update-secret-version-stage",
        "--secret-id",
        "stages",
        "--version-stage",
        "blue",
        "--remove-from-version-id",
        v2);
    assertThat(
            ok("describe-secret", "--secret-id", "stages")
                .get("VersionIdsToStages")
                .get(v2)
                .toString())
        .doesNotContain("blue");

    // a new value unpins AWSCURRENT and becomes current, as PutSecretValue does in AWS
    JsonNode three = ok("put-secret-value", "--secret-id", "stages", "--secret-string", "three");
    assertThat(three.get("VersionStages").toString()).isEqualTo("[\"AWSCURRENT\"]");
    assertThat(ok("get-secret-value", "--secret-id", "stages").get("SecretString").asText())
        .isEqualTo("three");
  }

  @Test
  void listSecretsFiltersInBothAwsFormsWithNegationAndPrintsText() throws Exception {
    ok(
        "create-secret",
        "-n",
        "team-a",
        "--name",
        "prod/api",
        "--secret-string",
        "x",
        "--tags",
        "Key=tier,Value=web");
    ok(
        "create-secret",
        "-n",
        "team-a",
        "--name",
        "prod/db",
        "--secret-string",
        "x",
        "--description",
        "Database login");
    ok("create-secret", "-n", "team-a", "--name", "dev/api", "--secret-string", "x");

    assertThat(names(ok("list-secrets", "-n", "team-a")))
        .containsExactly("prod/api", "prod/db", "dev/api");
    assertThat(names(ok("list-secrets", "-n", "team-a", "--filters", "Key=name,Values=prod/")))
        .containsExactly("prod/api", "prod/db");
    assertThat(
            names(
                ok(
                    "list-secrets",
                    "-n",
                    "team-a",
                    "--filters",
                    "[{\"Key\":\"name\",\"Values\":[\"prod/\"]},{\"Key\":\"tag-key\",\"Values\":[\"!tier\"]}]")))
        .containsExactly("prod/db");
    assertThat(
            names(
                ok("list-secrets", "-n", "team-a", "--filters", "Key=description,Values=database")))
        .containsExactly("prod/db");
    assertThat(names(ok("list-secrets", "-n", "team-a", "--filters", "Key=all,Values=api")))
        .containsExactly("prod/api", "dev/api");
    assertThat(names(ok("list-secrets", "-n", "team-a", "--sort-order", "desc")))
        .containsExactly("dev/api", "prod/db", "prod/api");

    Result text =
        run("list-secrets", "-n", "team-a", "--query", "SecretList[].Name", "--output", "text");
    assertThat(text.out()).isEqualTo("prod/api\tprod/db\tdev/api\n");

    JsonNode entry =
        ok("list-secrets", "-n", "team-a", "--filters", "Key=name,Values=prod/api")
            .get("SecretList")
            .get(0);
    assertThat(entry.fieldNames())
        .toIterable()
        .containsExactly(
            "ARN", "Name", "LastChangedDate", "Tags", "SecretVersionsToStages", "CreatedDate");
  }

  @Test
  void deleteSecretSchedulesDeletionAndRestoreSecretBringsItBackWithItsVersionsAndArn()
      throws Exception {
    JsonNode created = ok("create-secret", "--name", "restore/me", "--secret-string", "keep me");
    ok("put-secret-value", "--secret-id", "restore/me", "--secret-string", "keep me too");
    Instant before = Instant.now();
    Result deleted =
        run("delete-secret", "--secret-id", "restore/me", "--recovery-window-in-days", "7");
    assertThat(deleted.code()).as(deleted.toString()).isZero();
    JsonNode d = JSON.readTree(deleted.out());
    assertThat(d.fieldNames()).toIterable().containsExactly("ARN", "Name", "DeletionDate");
    assertThat(d.get("ARN").asText()).isEqualTo(created.get("ARN").asText());
    Instant deletionDate = Instant.parse(d.get("DeletionDate").asText().replace("+00:00", "Z"));
    assertThat(deletionDate)
        .isBetween(
            before.plus(Duration.ofDays(7)).minusSeconds(1),
            Instant.now().plus(Duration.ofDays(7)));
    assertThat(cluster.managedSecret("default", "restore-me")).isNull();
    assertThat(run("describe-secret", "--secret-id", "restore/me").code()).isEqualTo(254);

    Result restored = run("restore-secret", "--secret-id", "restore/me");
    assertThat(restored.code()).as(restored.toString()).isZero();
    assertThat(restored.out())
        .isEqualTo(
            """
            {
                "ARN": "%s",
                "Name": "restore/me"
            }
            """
                .formatted(created.get("ARN").asText()));
    assertThat(ok("describe-secret", "--secret-id", "restore/me").get("VersionIdsToStages").size())
        .isEqualTo(2);
    assertThat(ok("get-secret-value", "--secret-id", "restore/me").get("SecretString").asText())
        .isEqualTo("keep me too");
  }

  @Test
  void restoreSecretOfANameWithNothingToRestoreIsResourceNotFoundAndLeavesNothing() {
    Result r = run("restore-secret", "--secret-id", "never/was");
    assertThat(r.code()).as(r.toString()).isEqualTo(254);
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (ResourceNotFoundException) when calling the RestoreSecret"
                + " operation: Secrets Manager can't find the specified secret.\n");
    assertThat(cluster.managedSecret("default", "never-was")).isNull();
  }

  @Test
  void deleteSecretWithoutRecoveryPurgesSoRestoreFindsNothing() throws Exception {
    ok("create-secret", "--name", "purge/me", "--secret-string", "x");
    JsonNode d = ok("delete-secret", "--secret-id", "purge/me", "--force-delete-without-recovery");
    Instant deletionDate = Instant.parse(d.get("DeletionDate").asText().replace("+00:00", "Z"));
    assertThat(deletionDate).isBetween(Instant.now().minusSeconds(60), Instant.now());
    assertThat(run("restore-secret", "--secret-id", "purge/me").code()).isEqualTo(254);
  }

  @Test
  void deleteSecretRefusesAWindowWithForceAndAWindowOutOfRange() throws Exception {
    ok("create-secret", "--name", "delete/bad", "--secret-string", "x");
    Result both =
        run(
            "delete-secret",
            "--secret-id",
            "delete/bad",
            "--recovery-window-in-days",
            "7",
            "--force-delete-without-recovery");
    assertThat(both.err())
        .isEqualTo(
            "An error occurred (InvalidParameterException) when calling the DeleteSecret operation:"
                + " You can't use ForceDeleteWithoutRecovery in conjunction with"
                + " RecoveryWindowInDays.\n");
    Result range =
        run("delete-secret", "--secret-id", "delete/bad", "--recovery-window-in-days", "3");
    assertThat(range.err())
        .isEqualTo(
            "An error occurred (InvalidParameterException) when calling the DeleteSecret operation:"
                + " The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).\n");
    assertThat(cluster.managedSecret("default", "delete-bad")).isNotNull();
  }

  @Test
  void tableAndYamlOutputsShowTheSameResponse() throws Exception {
    JsonNode created = ok("create-secret", "--name", "formats", "--secret-string", "x");
    Result yaml = run("create-secret", "--name", "formats2", "--secret-string", "x", "-o", "yaml");
    assertThat(yaml.out())
        .matches("ARN: " + arnPattern("formats2") + "\nName: formats2\nVersionId: " + UUID + "\n");
    Result table =
        run(
            "describe-secret",
            "--secret-id",
            "formats",
            "--output",
            "table",
            "--query",
            "{ARN: ARN, Name: Name}");
    String arn = created.get("ARN").asText();
    int width = 4 + arn.length() + 4 + "ARN".length() + 2 + 2; // | ARN | value |
    assertThat(table.out()).contains("|  " + arn + "  |").contains("DescribeSecret");
    assertThat(table.out().lines().findFirst().orElseThrow()).matches("-+");
    assertThat(width).isPositive();
  }

  @Test
  void noSecretValueAppearsInAnyOutputButGetSecretValuesAndGetRandomPasswords() throws Exception {
    String canary = "canary-" + java.util.UUID.randomUUID();
    ok(
        "create-secret",
        "--name",
        "canary",
        "--secret-string",
        canary,
        "--description",
        "no value here");
    ok("put-secret-value", "--secret-id", "canary", "--secret-string", canary + "-2");
    ok("update-secret", "--secret-id", "canary", "--secret-string", canary + "-3");
    ok("describe-secret", "--secret-id", "canary");
    ok("list-secrets");
    run("create-secret", "--name", "canary-bad", "--secret-binary", canary + "!!");
    run("put-secret-value", "--secret-id", "no-such", "--secret-string", canary);
    ok("delete-secret", "--secret-id", "canary", "--force-delete-without-recovery");
    List<Result> seen;
    synchronized (transcript) {
      seen = new ArrayList<>(transcript);
    }
    for (Result r : seen) {
      if (r.out().contains("\"SecretString\"") || r.out().contains("\"RandomPassword\"")) {
        continue;
      }
      assertThat(r.out() + r.err()).doesNotContain(canary);
    }
  }

  private static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.get("SecretList").forEach(e -> names.add(e.get("Name").asText()));
    return names;
  }
}
