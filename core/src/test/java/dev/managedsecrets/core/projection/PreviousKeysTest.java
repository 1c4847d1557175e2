package dev.managedsecrets.core.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.PreviousValueSpec;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PreviousKeysTest {

  private static final Instant CREATED = Instant.parse("2025-03-01T10:00:00Z");

  private static TargetSpec target(PreviousValueSpec previous) {
    TargetSpec t = new TargetSpec();
    t.previousValue = previous;
    return t;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theGracePeriodIsMinutesOrHoursAndDefaultsToADay() {
    assertThat(PreviousKeys.gracePeriod(new PreviousValueSpec("90m", null)))
        .isEqualTo(Duration.ofMinutes(90));
    assertThat(PreviousKeys.gracePeriod(new PreviousValueSpec("720h", null)))
        .isEqualTo(Duration.ofHours(720));
    assertThat(PreviousKeys.gracePeriod(new PreviousValueSpec())).isEqualTo(Duration.ofHours(24));
    assertThat(PreviousKeys.keySuffix(new PreviousValueSpec())).isEqualTo("_PREVIOUS");
    assertThat(PreviousKeys.keySuffix(new PreviousValueSpec(null, "-old"))).isEqualTo("-old");
  }

  @Test
  void thePreviousVersionIsProjectedUntilTheGracePeriodAfterTheCurrentVersionsCreationEnds() {
    TargetSpec target = target(new PreviousValueSpec("2h", null));
    Instant end = CREATED.plus(Duration.ofHours(2));

    assertThat(PreviousKeys.until(target, CREATED, CREATED)).isEqualTo(end);
    assertThat(PreviousKeys.until(target, CREATED, end.minusMillis(1))).isEqualTo(end);
    assertThat(PreviousKeys.until(target, CREATED, end)).isNull();
    assertThat(PreviousKeys.until(target, CREATED, end.plusSeconds(1))).isNull();
  }

  @Test
  void nothingPreviousIsProjectedWithoutPreviousValue() {
    assertThat(PreviousKeys.until(null, CREATED, CREATED)).isNull();
    assertThat(PreviousKeys.until(new TargetSpec(), CREATED, CREATED)).isNull();
  }

  @Test
  void eachPreviousKeyGetsTheSuffix() {
    Map<String, byte[]> previous =
        new TreeMap<>(Map.of("password", bytes("old"), "user", bytes("u")));

    Map<String, byte[]> suffixed =
        PreviousKeys.suffixed(Set.of("password", "user"), previous, "_PREVIOUS");

    assertThat(suffixed).containsOnlyKeys("password_PREVIOUS", "user_PREVIOUS");
    assertThat(suffixed.get("password_PREVIOUS")).isEqualTo(bytes("old"));
  }

  @Test
  void aSuffixedKeyThatIsACurrentKeyIsRefusedWithoutNamingIt() {
    Map<String, byte[]> previous = Map.of("password", bytes("old"));

    SecretsManagerException e =
        catchThrowableOfType(
            SecretsManagerException.class,
            () -> PreviousKeys.suffixed(Set.of("password", "password_OLD"), previous, "_OLD"));

    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage())
        .isEqualTo(
            "1 of the previous version's keys, with target.previousValue.keySuffix, would be keys"
                + " of the current version too: choose another keySuffix.")
        .doesNotContain("password");
  }

  @Test
  void aSuffixedKeyLongerThanASecretKeyIsRefused() {
    Map<String, byte[]> previous = Map.of("k".repeat(250), bytes("old"));

    SecretsManagerException e =
        catchThrowableOfType(
            SecretsManagerException.class,
            () -> PreviousKeys.suffixed(Set.of(), previous, "_PREVIOUS"));

    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage()).contains("longer than the 253 characters");
  }

  @Test
  void bothVersionsMustFitInOneSecret() {
    Map<String, byte[]> current = Map.of("a", new byte[600_000]);

    assertThat(PreviousKeys.fit(current, Map.of("a_P", new byte[400_000]))).isTrue();
    assertThat(PreviousKeys.fit(current, Map.of("a_P", new byte[500_000]))).isFalse();
  }
}
