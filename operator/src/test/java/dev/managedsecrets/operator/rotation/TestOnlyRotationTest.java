package dev.managedsecrets.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestOnlyRotationTest {

  final RotationFixture f = new RotationFixture();
  final List<String> steps = new ArrayList<>();

  TestOnlyRotation.Tested run(StoredSecret s, Map<String, GenerateSpec> generate) {
    return new TestOnlyRotation(f.service, f.rotation)
        .run(s, f.generate(generate), f.key, (step, token) -> steps.add(step.name()));
  }

  @Test
  void theTestMakesAndTestsAPendingVersionThenRemovesAwsPendingAndLeavesAwsCurrent() {
    StoredSecret before = f.stored("{\"username\":\"orders\",\"password\":\"one\"}");
    StoredVersion current = before.current().orElseThrow();

    TestOnlyRotation.Tested tested = run(before, Map.of("password", new GenerateSpec()));
    StoredSecret after = tested.secret();

    assertThat(tested.failure()).isNull();
    assertThat(after.versions()).hasSize(2);
    assertThat(steps).containsExactly("createSecret", "testSecret");
    assertThat(after.current().orElseThrow().versionId()).isEqualTo(current.versionId());
    assertThat(after.versions()).noneMatch(v -> v.hasStage(StagingLabels.AWSPENDING));
    assertThat(RotationRunner.pendingToken(after)).isEmpty();
    assertThat(f.service.read(after, after.current().orElseThrow()).asText())
        .isEqualTo("{\"username\":\"orders\",\"password\":\"one\"}");
  }

  @Test
  void aCreateSecretThatFailsStoresNothing() {
    StoredSecret before = f.stored("not an object");

    assertThatThrownBy(() -> run(before, Map.of("password", new GenerateSpec())));

    StoredSecret after = f.service.findByName(RotationFixture.ID).get(0);
    assertThat(after.current().orElseThrow().versionId())
        .isEqualTo(before.current().orElseThrow().versionId());
    assertThat(after.versions()).hasSize(1);
  }
}
