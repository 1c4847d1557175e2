package dev.managedsecrets.core.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotationRequestsTest {

  static ManagedSecretSpec generated() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.generate = Map.of("password", new GenerateSpec());
    return spec;
  }

  static AwsError errorOf(Runnable call) {
    try {
      call.run();
    } catch (SecretsManagerException e) {
      return e.error();
    }
    throw new AssertionError("not refused");
  }

  @Test
  void rotationRulesReplaceTheScheduleAndKeepTheStrategy() {
    ManagedSecretSpec spec = generated();
    spec.rotation = new RotationSpec();
    spec.rotation.automaticallyAfterDays = 30;
    spec.rotation.strategy = "generate";
    spec.rotation.enabled = false;

    RotationRequests.rotate(spec, new RotationRequests.Rules(null, "rate(10 days)", "2h"), false);

    assertThat(spec.rotation.automaticallyAfterDays).isNull();
    assertThat(spec.rotation.scheduleExpression).isEqualTo("rate(10 days)");
    assertThat(spec.rotation.duration).isEqualTo("2h");
    assertThat(spec.rotation.strategy).isEqualTo("generate");
    assertThat(spec.rotation.rotateImmediately).isFalse();
    assertThat(spec.rotation.enabled).isNull();
  }

  @Test
  void rotateSecretWithoutRulesOnASecretWithoutRotationIsRefusedAsAwsRefusesIt() {
    assertThatThrownBy(() -> RotationRequests.rotate(generated(), null, null))
        .isInstanceOf(SecretsManagerException.class)
        .hasMessageStartingWith("No Lambda rotation function ARN is associated with this secret.");
  }

  @Test
  void badRulesAndAnUnrotatableSecretAreRefusedBeforeAnythingChanges() {
    ManagedSecretSpec spec = generated();

    assertThat(
            errorOf(
                () ->
                    RotationRequests.rotate(
                        spec, new RotationRequests.Rules(1001, null, null), null)))
        .isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(
            errorOf(
                () ->
                    RotationRequests.rotate(
                        new ManagedSecretSpec(), new RotationRequests.Rules(30, null, null), null)))
        .isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(spec.rotation).isNull();
  }

  @Test
  void cancelTurnsRotationOffAndKeepsItsRules() {
    ManagedSecretSpec spec = generated();
    spec.rotation = new RotationSpec();
    spec.rotation.automaticallyAfterDays = 30;

    RotationRequests.cancel(spec);

    assertThat(spec.rotation.enabled).isFalse();
    assertThat(spec.rotation.automaticallyAfterDays).isEqualTo(30);
    assertThat(errorOf(() -> RotationRequests.cancel(generated())))
        .isEqualTo(AwsError.INVALID_REQUEST_EXCEPTION);
  }

  @Test
  void anAwsPendingVersionOrAnUntakenRequestIsAnUnfinishedRotation() {
    Map<String, List<String>> pending =
        Map.of("a", List.of("AWSCURRENT"), "b", List.of("AWSPENDING"));
    Map<String, List<String>> done = Map.of("a", List.of("AWSCURRENT", "AWSPENDING"));

    assertThatThrownBy(() -> RotationRequests.requireNoneUnfinished(pending, null, null))
        .hasMessage("A previous rotation isn't complete. That rotation will be reattempted.");
    assertThat(errorOf(() -> RotationRequests.requireNoneUnfinished(done, "t1", "t0")))
        .isEqualTo(AwsError.INVALID_REQUEST_EXCEPTION);
    RotationRequests.requireNoneUnfinished(done, "t1", "t1");
  }

  @Test
  void onlyATokenOfAwsLengthBecomesAVersionId() {
    assertThat(RotationRequests.isToken("1733490000")).isFalse();
    assertThat(RotationRequests.isToken("4c0f3a5e-8a3b-4d6e-9c1f-7d2b5e8a1c30")).isTrue();
    assertThat(RotationRequests.token(null)).hasSize(36);
  }
}
