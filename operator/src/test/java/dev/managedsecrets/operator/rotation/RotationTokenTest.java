package dev.managedsecrets.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.secret.StoredSecret;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotationTokenTest {

  final RotationFixture f = new RotationFixture();

  RotationRunner.Rotated rotate(StoredSecret s, String wanted) {
    return f.rotation.rotate(
        s, f.generate(Map.of("password", new GenerateSpec())), f.key, wanted, (step, token) -> {});
  }

  @Test
  void aRotationAskedWithATokenMakesItsNewVersionWithThatVersionId() {
    String token = "4c0f3a5e-8a3b-4d6e-9c1f-7d2b5e8a1c30";
    StoredSecret before = f.stored("{\"password\":\"one\"}");

    RotationRunner.Rotated rotated = rotate(before, token);

    assertThat(rotated.current().versionId()).isEqualTo(token);
    rotated.value().clear();
  }

  @Test
  void aTokenThatIsAVersionIdAlreadyIsNotTakenAgain() {
    StoredSecret before = f.stored("{\"password\":\"one\"}");
    String existing = before.current().orElseThrow().versionId();

    RotationRunner.Rotated rotated = rotate(before, existing);

    assertThat(rotated.current().versionId()).isNotEqualTo(existing);
    rotated.value().clear();
  }
}
