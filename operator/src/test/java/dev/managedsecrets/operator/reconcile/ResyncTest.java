package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResyncTest {

  private static final Duration TEN_HOURS = Duration.ofHours(10);

  @Test
  void aResyncComesNoLaterThanTheIntervalAndNoEarlierThanTwentyPercentUnderIt() {
    assertThat(new Resync(TEN_HOURS, () -> 0.0).next()).isEqualTo(TEN_HOURS);
    assertThat(new Resync(TEN_HOURS, () -> 0.999999).next())
        .isGreaterThan(Duration.ofHours(8))
        .isLessThan(Duration.ofHours(8).plusSeconds(1));
    assertThat(new Resync(TEN_HOURS, () -> 0.5).next()).isEqualTo(Duration.ofHours(9));
  }

  @Test
  void managedSecretsReconciledTogetherAreResyncedAtTimesSpreadOverTheLastFifthOfTheInterval() {
    Resync resync = new Resync(Duration.ofSeconds(30));
    Set<Duration> drawn = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      Duration next = resync.next();
      assertThat(next).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(30));
      drawn.add(next);
    }
    // 6,000 possible milliseconds: a thousand draws that were one time would resync together.
    assertThat(drawn).hasSizeGreaterThan(500);
    assertThat(drawn.stream().filter(d -> d.compareTo(Duration.ofSeconds(27)) < 0)).isNotEmpty();
    assertThat(drawn.stream().filter(d -> d.compareTo(Duration.ofSeconds(27)) >= 0)).isNotEmpty();
  }
}
