package dev.managedsecrets.cli.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;

class ResponsesTest {

  static ManagedSecret secret(RotationSpec rotation, ManagedSecretStatus status) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("db").build());
    ms.setSpec(new ManagedSecretSpec());
    ms.getSpec().rotation = rotation;
    ms.setStatus(status);
    return ms;
  }

  @Test
  void describeSecretShowsTheRotationRulesAndDatesOfARotatingSecret() {
    RotationSpec rotation = new RotationSpec();
    rotation.scheduleExpression = "rate(10 days)";
    rotation.duration = "2h";
    ManagedSecretStatus status = new ManagedSecretStatus();
    status.rotationEnabled = true;
    status.nextRotationDate = "2026-12-16T00:00:00Z";

    ObjectNode out = Responses.describe(secret(rotation, status));

    assertThat(out.get("RotationEnabled").asBoolean()).isTrue();
    assertThat(out.get("RotationRules").get("ScheduleExpression").asText())
        .isEqualTo("rate(10 days)");
    assertThat(out.get("RotationRules").get("Duration").asText()).isEqualTo("2h");
    assertThat(out.get("RotationRules").has("AutomaticallyAfterDays")).isFalse();
    assertThat(out.has("NextRotationDate")).isTrue();
  }

  @Test
  void describeSecretShowsNoRotationMemberForASecretNeverSetUpToRotate() {
    ObjectNode out = Responses.describe(secret(null, new ManagedSecretStatus()));

    assertThat(out.has("RotationEnabled")).isFalse();
    assertThat(out.has("RotationRules")).isFalse();
  }
}
