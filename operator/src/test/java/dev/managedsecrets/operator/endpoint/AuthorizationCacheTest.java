package dev.managedsecrets.operator.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class AuthorizationCacheTest {

  static final Principal APP =
      new Principal(
          "system:serviceaccount:team-a:app",
          "uid-1",
          List.of("system:serviceaccounts", "system:authenticated"),
          "team-a");

  final AtomicLong nanos = new AtomicLong();
  final Ticker ticker = nanos::get;
  final List<AuthorizationCache.Question> asked = new ArrayList<>();

  Predicate<AuthorizationCache.Question> answer(boolean allowed) {
    return q -> {
      asked.add(q);
      return allowed;
    };
  }

  static AuthorizationCache.Question read(Principal who, String name) {
    return new AuthorizationCache.Question(who, "get", "value", "team-a", name);
  }

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void anAllowedAnswerIsReusedUntilItsTimeIsUpThenAskedAgain() {
    var cache = new AuthorizationCache(Duration.ofSeconds(5), 100, ticker);

    assertThat(cache.allowed(read(APP, "db"), answer(true))).isTrue();
    advance(Duration.ofSeconds(4));
    assertThat(cache.allowed(read(APP, "db"), answer(true))).isTrue();
    assertThat(asked).hasSize(1);

    // The grant was revoked: the kept answer holds until its 5 seconds are up, no longer.
    advance(Duration.ofMillis(1001));
    assertThat(cache.allowed(read(APP, "db"), answer(false))).isFalse();
    assertThat(asked).hasSize(2);
  }

  @Test
  void aRefusalIsNeverKept() {
    var cache = new AuthorizationCache(Duration.ofSeconds(5), 100, ticker);

    assertThat(cache.allowed(read(APP, "db"), answer(false))).isFalse();
    assertThat(cache.allowed(read(APP, "db"), answer(true))).isTrue();
    assertThat(asked).hasSize(2);
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void anAnswerIsKeptForItsCallerVerbAndSecretOnly() {
    var cache = new AuthorizationCache(Duration.ofSeconds(5), 100, ticker);
    Principal otherGroups =
        new Principal(APP.username(), APP.uid(), List.of("system:authenticated"), "team-a");

    cache.allowed(read(APP, "db"), answer(true));
    cache.allowed(read(APP, "other"), answer(true));
    cache.allowed(read(otherGroups, "db"), answer(true));
    cache.allowed(
        new AuthorizationCache.Question(APP, "update", "value", "team-a", "db"), answer(true));
    cache.allowed(new AuthorizationCache.Question(APP, "get", null, "team-a", "db"), answer(true));
    cache.allowed(
        new AuthorizationCache.Question(APP, "get", "value", "team-b", "db"), answer(true));

    assertThat(asked).hasSize(6);
  }

  @Test
  void theCacheKeepsNoMoreAnswersThanItsBound() {
    var cache = new AuthorizationCache(Duration.ofSeconds(5), 100, ticker);

    for (int i = 0; i < 1000; i++) {
      cache.allowed(read(APP, "db-" + i), answer(true));
    }

    assertThat(cache.size()).isLessThanOrEqualTo(100);
  }

  @Test
  void aZeroTimeKeepsNothingAndAsksEachTime() {
    var cache = new AuthorizationCache(Duration.ZERO, 100, ticker);

    cache.allowed(read(APP, "db"), answer(true));
    cache.allowed(read(APP, "db"), answer(true));

    assertThat(asked).hasSize(2);
    assertThat(cache.size()).isZero();
  }

  @Test
  void anAnswerForTheWholeNamespaceServesEveryNameInItWithOneReview() {
    var cache = new AuthorizationCache(Duration.ofSeconds(5), 100, ticker);

    for (int i = 0; i < 50; i++) {
      assertThat(cache.allowedInNamespace(read(APP, "db-" + i), answer(true))).isTrue();
    }

    assertThat(asked).containsExactly(read(APP, null));
    advance(Duration.ofMillis(5001));
    assertThat(cache.allowedInNamespace(read(APP, "db-0"), answer(false))).isFalse();
  }

  @Test
  void whereOnlyNamedSecretsAreAllowedEachNameIsAskedAndTheNamespaceOncePerTtl() {
    var cache = new AuthorizationCache(Duration.ofSeconds(5), 100, ticker);
    Predicate<AuthorizationCache.Question> onlyDb =
        q -> {
          asked.add(q);
          return "db".equals(q.name());
        };

    assertThat(cache.allowedInNamespace(read(APP, "db"), onlyDb)).isTrue();
    assertThat(cache.allowedInNamespace(read(APP, "db"), onlyDb)).isTrue();
    assertThat(cache.allowedInNamespace(read(APP, "other"), onlyDb)).isFalse();
    assertThat(cache.allowedInNamespace(read(APP, "other"), onlyDb)).isFalse();

    assertThat(asked)
        .containsExactly(read(APP, null), read(APP, "db"), read(APP, "other"), read(APP, "other"));
  }
}
