package dev.managedsecrets.operator.apiclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test moves: no test here waits. */
class TokenBucketTest {

  private long now = 1_000_000_000L;

  private TokenBucket bucket(double qps, int burst) {
    return new TokenBucket(qps, burst, () -> now);
  }

  private static long millis(long ms) {
    return Duration.ofMillis(ms).toNanos();
  }

  @Test
  void aFullBucketGivesItsBurstWithoutWaitingAndThenMakesTheNextTakerWait() {
    TokenBucket bucket = bucket(10, 5);
    for (int i = 0; i < 5; i++) {
      assertThat(bucket.reserve()).as("token %d of the burst", i + 1).isZero();
    }
    assertThat(bucket.reserve()).as("the sixth, at 10 a second").isEqualTo(millis(100));
  }

  @Test
  void onceEmptyEachTakerWaitsOneIntervalLongerThanTheOneBefore() {
    TokenBucket bucket = bucket(20, 2);
    bucket.reserve();
    bucket.reserve();
    assertThat(bucket.reserve()).isEqualTo(millis(50));
    assertThat(bucket.reserve()).isEqualTo(millis(100));
    assertThat(bucket.reserve()).isEqualTo(millis(150));
    now += millis(100);
    assertThat(bucket.reserve())
        .as("100 ms later: three takers were ahead, two of their tokens have come")
        .isEqualTo(millis(100));
  }

  @Test
  void tokensRefillAtQpsUpToTheBurst() {
    TokenBucket bucket = bucket(10, 5);
    for (int i = 0; i < 5; i++) {
      bucket.reserve();
    }
    assertThat(bucket.available()).isZero();
    now += millis(300);
    assertThat(bucket.available()).isEqualTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
    for (int i = 0; i < 3; i++) {
      assertThat(bucket.reserve()).isZero();
    }
    assertThat(bucket.reserve()).isEqualTo(millis(100));
    now += Duration.ofHours(1).toNanos();
    assertThat(bucket.available())
        .as("an idle hour fills the bucket to its burst only")
        .isEqualTo(5);
  }

  @Test
  void aRateBelowOneASecondWaitsSeconds() {
    TokenBucket bucket = bucket(0.5, 1);
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isEqualTo(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void inNoWindowDoMoreTokensComeDueThanTheBurstAndTheRateTimesItsLength() {
    double qps = 20;
    int burst = 5;
    TokenBucket bucket = bucket(qps, burst);
    Random random = new Random(21);
    int takers = 3000;
    long[] due = new long[takers];
    for (int i = 0; i < takers; i++) {
      // Bursts and lulls: mostly faster than the rate, now and then idle for up to 2 s.
      now += random.nextInt(10) == 0 ? millis(random.nextInt(2000)) : millis(random.nextInt(30));
      due[i] = now + bucket.reserve();
    }
    for (int i = 1; i < takers; i++) {
      assertThat(due[i]).as("takers go in the order they came").isGreaterThanOrEqualTo(due[i - 1]);
    }
    for (int i = 0; i < takers; i++) {
      for (int j = i; j < takers; j++) {
        double seconds = (due[j] - due[i]) / 1e9;
        if (j - i + 1 > burst + qps * seconds + 1e-6) {
          throw new AssertionError(
              (j - i + 1)
                  + " tokens came due within "
                  + seconds
                  + " s, more than the bucket allows");
        }
      }
    }
    assertThat(due[takers - 1] - due[0])
        .as("the run was held to the rate")
        .isGreaterThanOrEqualTo((long) ((takers - burst) / qps * 1e9) - 1);
  }

  @Test
  void refusesARateOrBurstItCannotKeep() {
    assertThatThrownBy(() -> bucket(0, 1)).hasMessageContaining("qps");
    assertThatThrownBy(() -> bucket(Double.NaN, 1)).hasMessageContaining("qps");
    assertThatThrownBy(() -> bucket(1, 0)).hasMessageContaining("burst");
  }
}
