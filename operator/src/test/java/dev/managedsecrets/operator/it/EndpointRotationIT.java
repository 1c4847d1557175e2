package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.rotation.RotationRequests;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import dev.managedsecrets.operator.rotation.RotationRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.RotateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * RotateSecret and CancelRotateSecret through the endpoint, with AWS's SDK for Java v2 (and the AWS
 * CLI): the rotation they start runs in the reconciler, and its new version is the VersionId
 * RotateSecret answered.
 */
class EndpointRotationIT {

  static TestCluster cluster;
  static SecretsManagerClient sm;
  static AccessKeys.AccessKey admin;
  static StoreView store;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start();
    admin = EndpointClients.administrator(cluster);
    sm = EndpointClients.client(cluster, admin);
    store = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    sm.close();
    cluster.close();
  }

  /** A login whose password the operator generates; no rotation set up. */
  static Consumer<ManagedSecretSpec> login() {
    return s -> {
      s.data = Map.of("username", "orders");
      s.generate = Map.of("password", new GenerateSpec());
    };
  }

  static String applied(String name, Consumer<ManagedSecretSpec> spec) {
    create(cluster.client, managedSecret("default", name, spec));
    return awaitSynced(cluster.client, "default", name).getStatus().versionId;
  }

  static StoredSecret record(String name) {
    return store.record("default", "default/" + name).orElseThrow();
  }

  static ManagedSecret awaitCurrent(String name, String versionId) {
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> versionId.equals(get(cluster.client, "default", name).getStatus().versionId));
    return get(cluster.client, "default", name);
  }

  @Test
  void rotateSecretWithRulesSetsTheRotationAndItsVersionIdBecomesAwsCurrent() {
    String first = applied("rules", login());
    String token = UUID.randomUUID().toString();

    RotateSecretResponse rotated =
        sm.rotateSecret(
            r ->
                r.secretId("default/rules")
                    .clientRequestToken(token)
                    .rotationRules(x -> x.automaticallyAfterDays(30L).duration("3h")));
    ManagedSecret ms = awaitCurrent("rules", token);
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("default/rules"));

    assertThat(rotated.versionId()).isEqualTo(token);
    assertThat(rotated.name()).isEqualTo("default/rules");
    assertThat(ms.getSpec().rotation.automaticallyAfterDays).isEqualTo(30);
    assertThat(record("rules").version(first).orElseThrow().stages())
        .containsExactly(StagingLabels.AWSPREVIOUS);
    assertThat(described.rotationEnabled()).isTrue();
    assertThat(described.rotationRules().automaticallyAfterDays()).isEqualTo(30L);
    assertThat(described.rotationRules().duration()).isEqualTo("3h");
    assertThat(described.lastRotatedDate()).isNotNull();
  }

  @Test
  void aRetryWithTheSameClientRequestTokenRotatesOnlyOnce() {
    applied("retried", login());
    String token = UUID.randomUUID().toString();
    sm.rotateSecret(
        r ->
            r.secretId("default/retried")
                .clientRequestToken(token)
                .rotationRules(x -> x.scheduleExpression("rate(10 days)")));
    awaitCurrent("retried", token);
    int versions = record("retried").versions().size();

    RotateSecretResponse again =
        sm.rotateSecret(
            r ->
                r.secretId("default/retried")
                    .clientRequestToken(token)
                    .rotationRules(x -> x.scheduleExpression("rate(10 days)")));

    assertThat(again.versionId()).isEqualTo(token);
    assertThat(record("retried").versions()).hasSize(versions);
    assertThat(get(cluster.client, "default", "retried").getStatus().versionId).isEqualTo(token);
  }

  @Test
  void rotateSecretWithoutRulesRotatesASecretThatHasRotationAndTurnsItOnAgain() {
    applied("again", login());
    RotateSecretResponse first =
        sm.rotateSecret(
            r -> r.secretId("default/again").rotationRules(x -> x.automaticallyAfterDays(7L)));
    awaitCurrent("again", first.versionId());
    sm.cancelRotateSecret(r -> r.secretId("default/again"));

    RotateSecretResponse now = sm.rotateSecret(r -> r.secretId("default/again"));
    ManagedSecret ms = awaitCurrent("again", now.versionId());

    assertThat(ms.getSpec().rotation.enabled).isNull();
    assertThat(ms.getSpec().rotation.automaticallyAfterDays).isEqualTo(7);
    assertThat(sm.describeSecret(r -> r.secretId("default/again")).rotationEnabled()).isTrue();
  }

  @Test
  void cancelRotateSecretTurnsRotationOffAndKeepsItsRules() {
    applied("cancelled", login());
    RotateSecretResponse rotated =
        sm.rotateSecret(
            r ->
                r.secretId("default/cancelled")
                    .rotationRules(x -> x.scheduleExpression("cron(0 4 * * ? *)")));
    awaitCurrent("cancelled", rotated.versionId());

    var cancelled = sm.cancelRotateSecret(r -> r.secretId("default/cancelled"));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> get(cluster.client, "default", "cancelled").getStatus().nextRotationDate == null);
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("default/cancelled"));

    assertThat(cancelled.name()).isEqualTo("default/cancelled");
    assertThat(cancelled.versionId()).isNull();
    assertThat(described.rotationEnabled()).isFalse();
    assertThat(described.rotationRules().scheduleExpression()).isEqualTo("cron(0 4 * * ? *)");
  }

  @Test
  void aSecretWithoutRotationHasNothingToCancelOrToRotateWithoutRules() {
    applied("plain-login", login());

    InvalidRequestException cancel =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.cancelRotateSecret(r -> r.secretId("default/plain-login")));
    InvalidRequestException rotate =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.rotateSecret(r -> r.secretId("default/plain-login")));

    assertThat(cancel.awsErrorDetails().errorMessage())
        .isEqualTo(RotationRequests.NOTHING_TO_CANCEL);
    assertThat(rotate.awsErrorDetails().errorMessage()).isEqualTo(RotationRequests.NO_ROTATION);
  }

  @Test
  void aRotationThatGitOpsSetIsRotatedButNotChangedThroughTheEndpoint() {
    String first =
        applied(
            "gitops",
            login()
                .andThen(
                    s -> {
                      s.rotation = new dev.managedsecrets.api.v1alpha1.RotationSpec();
                      s.rotation.scheduleExpression = "rate(30 days)";
                      s.rotation.rotateImmediately = false;
                    }));

    InvalidRequestException changed =
        catchThrowableOfType(
            InvalidRequestException.class,
            () ->
                sm.rotateSecret(
                    r ->
                        r.secretId("default/gitops")
                            .rotationRules(x -> x.automaticallyAfterDays(1L))));
    InvalidRequestException cancelled =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.cancelRotateSecret(r -> r.secretId("default/gitops")));
    RotateSecretResponse now = sm.rotateSecret(r -> r.secretId("default/gitops"));
    ManagedSecret ms = awaitCurrent("gitops", now.versionId());

    assertThat(changed.awsErrorDetails().errorMessage()).contains("spec.rotation");
    assertThat(cancelled.awsErrorDetails().errorMessage()).contains("spec.rotation");
    assertThat(ms.getSpec().rotation.scheduleExpression).isEqualTo("rate(30 days)");
    assertThat(ms.getSpec().rotation.automaticallyAfterDays).isNull();
    assertThat(now.versionId()).isNotEqualTo(first);
  }

  @Test
  void rotateSecretDuringAnUnfinishedRotationAnswersAsAwsDoes() {
    sm.createSecret(r -> r.name("stuck").secretString("{\"password\":\"one\"}"));
    sm.putSecretValue(
        r ->
            r.secretId("stuck")
                .secretString("{\"password\":\"two\"}")
                .versionStages(StagingLabels.AWSPENDING));

    InvalidRequestException refused =
        catchThrowableOfType(
            InvalidRequestException.class,
            () ->
                sm.rotateSecret(
                    r -> r.secretId("stuck").rotationRules(x -> x.automaticallyAfterDays(30L))));

    assertThat(refused.awsErrorDetails().errorMessage())
        .isEqualTo("A previous rotation isn't complete. That rotation will be reattempted.");
  }

  @Test
  void rotationLambdaArnAndBadRulesAreRefusedAndNothingChanges() {
    applied("lambda", login());

    InvalidParameterException lambda =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.rotateSecret(
                    r ->
                        r.secretId("default/lambda")
                            .rotationLambdaARN(
                                "arn:aws:lambda:local:123456789012:function:rotate")));
    InvalidParameterException both =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.rotateSecret(
                    r ->
                        r.secretId("default/lambda")
                            .rotationRules(
                                x ->
                                    x.automaticallyAfterDays(3L)
                                        .scheduleExpression("rate(4 hours)"))));

    assertThat(lambda.awsErrorDetails().errorMessage()).isEqualTo(RotationRequests.NO_LAMBDA);
    assertThat(both.awsErrorDetails().errorMessage())
        .isEqualTo("You cannot specify both rotation frequency and schedule expression together.");
    ManagedSecret ms = get(cluster.client, "default", "lambda");
    assertThat(ms.getSpec().rotation).isNull();
    assertThat(ms.getMetadata().getAnnotations()).doesNotContainKey(RotationRequests.ROTATE_NOW);
  }

  @Test
  void aCallerWhoMayNotChangeTheSecretIsRefusedAndNothingRotates() {
    applied("guarded", login());
    EndpointClients.serviceAccount(cluster, "default", "reader");
    EndpointClients.grant(
        cluster,
        "default",
        "reader",
        "reads-only",
        List.of("managedsecrets", "managedsecrets/value"),
        "get");
    try (SecretsManagerClient reader =
        EndpointClients.client(
            cluster, EndpointClients.serviceAccount(cluster, "default", "reader"))) {

      SecretsManagerException rotate =
          catchThrowableOfType(
              SecretsManagerException.class,
              () ->
                  reader.rotateSecret(
                      r ->
                          r.secretId("default/guarded")
                              .rotationRules(x -> x.automaticallyAfterDays(1L))));
      SecretsManagerException cancel =
          catchThrowableOfType(
              SecretsManagerException.class,
              () -> reader.cancelRotateSecret(r -> r.secretId("default/guarded")));

      assertThat(rotate.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(rotate.awsErrorDetails().errorMessage())
          .contains("secretsmanager:RotateSecret")
          .contains("patch");
      assertThat(cancel.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
    }
    ManagedSecret ms = get(cluster.client, "default", "guarded");
    assertThat(ms.getSpec().rotation).isNull();
    assertThat(ms.getMetadata().getAnnotations()).doesNotContainKey(RotationRequests.ROTATE_NOW);
  }

  @Test
  void rotateImmediatelyFalseOnlyTestsTheRotationAndLeavesAwsCurrentAndNoAwsPending() {
    String first = applied("tested", login());

    RotateSecretResponse answer =
        sm.rotateSecret(
            r ->
                r.secretId("default/tested")
                    .rotateImmediately(false)
                    .rotationRules(x -> x.automaticallyAfterDays(30L)));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                record("tested").versions().size() == 2
                    && RotationRunner.pendingToken(record("tested")).isEmpty()
                    && Boolean.TRUE.equals(
                        get(cluster.client, "default", "tested").getStatus().rotationEnabled));
    StoredSecret after = record("tested");

    assertThat(answer.versionId()).isNull();
    assertThat(after.current().orElseThrow().versionId()).isEqualTo(first);
    assertThat(after.versions()).noneMatch(v -> v.hasStage(StagingLabels.AWSPENDING));
    assertThat(get(cluster.client, "default", "tested").getStatus().lastRotatedDate).isNull();
  }

  @Test
  void theAwsCliRotatesASecretAndPrintsAwsResponse() throws Exception {
    applied("cli", login());
    Path dir = Files.createTempDirectory("aws-cli-rotate");
    String token = UUID.randomUUID().toString();
    Map<String, String> env =
        Map.of(
            "AWS_ACCESS_KEY_ID", admin.accessKeyId(),
            "AWS_SECRET_ACCESS_KEY", admin.secretAccessKey(),
            "AWS_DEFAULT_REGION", EndpointClients.REGION);
    String url = EndpointClients.endpoint(cluster).url();

    AwsCli.Run run =
        AwsCli.run(
            dir,
            env,
            "secretsmanager",
            "rotate-secret",
            "--secret-id",
            "default/cli",
            "--rotation-rules",
            "{\"ScheduleExpression\":\"rate(10 days)\",\"Duration\":\"2h\"}",
            "--client-request-token",
            token,
            "--endpoint-url",
            url);
    awaitCurrent("cli", token);
    AwsCli.Run cancel =
        AwsCli.run(
            dir,
            env,
            "secretsmanager",
            "cancel-rotate-secret",
            "--secret-id",
            "default/cli",
            "--endpoint-url",
            url);

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode out = new ObjectMapper().readTree(run.out());
    assertThat(out.path("VersionId").asText()).isEqualTo(token);
    assertThat(out.path("Name").asText()).isEqualTo("default/cli");
    assertThat(cancel.exitCode()).as(cancel.err()).isZero();
    assertThat(get(cluster.client, "default", "cli").getSpec().rotation.enabled).isFalse();
  }
}
