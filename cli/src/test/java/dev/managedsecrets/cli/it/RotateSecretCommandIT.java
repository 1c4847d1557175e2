package dev.managedsecrets.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.Cli;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * rotate-secret and cancel-rotate-secret against an API server with the CRDs: what they write to
 * the ManagedSecret (spec.rotation, the annotation managedsecrets.dev/rotate-now) and print. The
 * rotation itself is the operator's (EndpointRotationIT shows it through the endpoint).
 */
@Timeout(60)
class RotateSecretCommandIT {

  static final String TOKEN = "5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
  static PluginCluster cluster;
  static Cli cli;

  @BeforeAll
  static void start() throws Exception {
    cluster = PluginCluster.start("kubectl-managedsecret-rotate");
    cli = cluster.cli;
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static void login(String name) {
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setName(name);
    ms.getMetadata().setNamespace("default");
    ms.getSpec().data = Map.of("username", "orders");
    ms.getSpec().generate = Map.of("password", new GenerateSpec());
    cluster.api.client().resources(ManagedSecret.class).resource(ms).create();
  }

  static ManagedSecret get(String name) {
    return cluster.get(name);
  }

  static JsonNode json(Cli.Result r) throws Exception {
    return PluginCluster.json(r);
  }

  static Cli.Result rotate30Days(String name) {
    return cli.run(
        "rotate-secret",
        "--secret-id",
        "default/" + name,
        "--rotation-rules",
        "AutomaticallyAfterDays=30,Duration=2h",
        "--client-request-token",
        TOKEN);
  }

  @Test
  void rotateSecretSetsTheRulesAndAsksForARotationWhoseVersionIdItPrints() throws Exception {
    login("shorthand");

    JsonNode out = json(rotate30Days("shorthand"));
    ManagedSecret ms = get("shorthand");

    assertThat(out.path("Name").asText()).isEqualTo("default/shorthand");
    assertThat(out.path("VersionId").asText()).isEqualTo(TOKEN);
    assertThat(ms.getSpec().rotation.automaticallyAfterDays).isEqualTo(30);
    assertThat(ms.getSpec().rotation.duration).isEqualTo("2h");
    assertThat(ms.getMetadata().getAnnotations())
        .containsEntry("managedsecrets.dev/rotate-now", TOKEN);
    // The same request again: answered as before, nothing written.
    String version = ms.getMetadata().getResourceVersion();
    JsonNode again = json(rotate30Days("shorthand"));
    assertThat(again.path("VersionId").asText()).isEqualTo(TOKEN);
    assertThat(get("shorthand").getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void noRotateImmediatelyTakesJsonRulesAndAsksForNoRotation() throws Exception {
    login("later");

    JsonNode out =
        json(
            cli.run(
                "rotate-secret",
                "--secret-id",
                "default/later",
                "--rotation-rules",
                "{\"ScheduleExpression\":\"cron(0 4 1,15 * ? *)\"}",
                "--no-rotate-immediately"));
    ManagedSecret ms = get("later");

    assertThat(out.has("VersionId")).isFalse();
    assertThat(ms.getSpec().rotation.scheduleExpression).isEqualTo("cron(0 4 1,15 * ? *)");
    assertThat(ms.getSpec().rotation.rotateImmediately).isFalse();
    assertThat(ms.getMetadata().getAnnotations())
        .doesNotContainKey("managedsecrets.dev/rotate-now");
  }

  @Test
  void cancelRotateSecretTurnsRotationOffAndKeepsTheRules() throws Exception {
    login("cancelled");
    json(
        cli.run(
            "rotate-secret",
            "--secret-id",
            "default/cancelled",
            "--rotation-rules",
            "ScheduleExpression=\"rate(10 days)\"",
            "--no-rotate-immediately"));

    JsonNode out = json(cli.run("cancel-rotate-secret", "--secret-id", "default/cancelled"));
    ManagedSecret ms = get("cancelled");

    assertThat(out.path("Name").asText()).isEqualTo("default/cancelled");
    assertThat(ms.getSpec().rotation.enabled).isFalse();
    assertThat(ms.getSpec().rotation.scheduleExpression).isEqualTo("rate(10 days)");
  }

  @Test
  void refusalsAreAwsErrorsAndWriteNothing() {
    login("refused");

    Cli.Result noRules = cli.run("rotate-secret", "--secret-id", "default/refused");
    Cli.Result cancel = cli.run("cancel-rotate-secret", "--secret-id", "default/refused");
    Cli.Result both =
        cli.run(
            "rotate-secret",
            "--secret-id",
            "default/refused",
            "--rotation-rules",
            "AutomaticallyAfterDays=3,ScheduleExpression=\"rate(4 hours)\"");
    Cli.Result lambda =
        cli.run(
            "rotate-secret",
            "--secret-id",
            "default/refused",
            "--rotation-lambda-arn",
            "arn:aws:lambda:local:123456789012:function:rotate");

    assertThat(noRules.code()).isEqualTo(254);
    assertThat(noRules.err())
        .startsWith(
            "An error occurred (InvalidRequestException) when calling the RotateSecret operation:"
                + " No Lambda rotation function ARN is associated with this secret.");
    assertThat(cancel.err())
        .startsWith(
            "An error occurred (InvalidRequestException) when calling the CancelRotateSecret"
                + " operation: You tried to enable rotation");
    assertThat(both.err())
        .isEqualTo(
            "An error occurred (InvalidParameterException) when calling the RotateSecret"
                + " operation: You cannot specify both rotation frequency and schedule expression"
                + " together.\n");
    assertThat(lambda.err()).contains("(InvalidParameterException)", "RotationLambdaARN");
    ManagedSecret ms = get("refused");
    assertThat(ms.getSpec().rotation).isNull();
    assertThat(ms.getMetadata().getAnnotations())
        .doesNotContainKey("managedsecrets.dev/rotate-now");
  }

  @Test
  void aRequestedRotationNotYetTakenUpIsAnUnfinishedRotation() {
    login("unfinished");
    ManagedSecret ms = get("unfinished");
    ms.getMetadata().setAnnotations(Map.of("managedsecrets.dev/rotate-now", "asked-earlier"));
    ms.getSpec().rotation = new dev.managedsecrets.api.v1alpha1.RotationSpec();
    ms.getSpec().rotation.automaticallyAfterDays = 30;
    cluster.api.client().resource(ms).update();

    Cli.Result r = cli.run("rotate-secret", "--secret-id", "default/unfinished");

    assertThat(r.code()).isEqualTo(254);
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (InvalidRequestException) when calling the RotateSecret operation:"
                + " A previous rotation isn't complete. That rotation will be reattempted.\n");
    assertThat(List.copyOf(get("unfinished").getMetadata().getAnnotations().values()))
        .containsExactly("asked-earlier");
  }
}
