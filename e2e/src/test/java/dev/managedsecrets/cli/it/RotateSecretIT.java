package dev.managedsecrets.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.Cli;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * rotate-secret and cancel-rotate-secret with the real operator: the VersionId the plugin prints is
 * the version the operator's rotation makes AWSCURRENT.
 */
@Timeout(120)
class RotateSecretIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static Cluster cluster;
  static Cli cli;

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

  static JsonNode ok(String... args) throws Exception {
    Cli.Result r = cli.run(args);
    assertThat(r.code()).as(r.toString()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void theVersionIdRotateSecretPrintsBecomesAwsCurrentAndCancelTurnsRotationOff() throws Exception {
    ManagedSecret login = new ManagedSecret();
    login.getMetadata().setName("login");
    login.getMetadata().setNamespace("default");
    login.getSpec().secretName = "orders/login";
    login.getSpec().data = Map.of("username", "orders");
    login.getSpec().generate = Map.of("password", new GenerateSpec());
    cluster.client().resources(ManagedSecret.class).resource(login).create();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ManagedSecret ms = cluster.managedSecret("default", "login");
              return ms.getStatus() != null && ms.getStatus().versionId != null;
            });
    String first = cluster.managedSecret("default", "login").getStatus().versionId;

    JsonNode rotated =
        ok(
            "rotate-secret",
            "--secret-id",
            "orders/login",
            "--rotation-rules",
            "ScheduleExpression=\"rate(10 days)\",Duration=2h");
    String token = rotated.path("VersionId").asText();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ok("describe-secret", "--secret-id", "orders/login")
                    .path("VersionIdsToStages")
                    .path(token)
                    .toString()
                    .equals("[\"AWSCURRENT\"]"));
    JsonNode described = ok("describe-secret", "--secret-id", "orders/login");
    JsonNode cancelled = ok("cancel-rotate-secret", "--secret-id", "orders/login");

    assertThat(rotated.path("Name").asText()).isEqualTo("orders/login");
    assertThat(token).isNotEqualTo(first).hasSize(36);
    assertThat(described.path("VersionIdsToStages").path(first).toString())
        .isEqualTo("[\"AWSPREVIOUS\"]");
    assertThat(described.path("RotationEnabled").asBoolean()).isTrue();
    assertThat(described.path("RotationRules").path("ScheduleExpression").asText())
        .isEqualTo("rate(10 days)");
    assertThat(cancelled.path("Name").asText()).isEqualTo("orders/login");
    assertThat(cluster.managedSecret("default", "login").getSpec().rotation.enabled).isFalse();
  }
}
