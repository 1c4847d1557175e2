package dev.managedsecrets.operator.apiclient;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The interceptor holds each request for its token, on a clock that does not move. */
class RateLimitInterceptorTest {

  private final List<Long> slept = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private RateLimitInterceptor limiter(double qps, int burst) {
    return new RateLimitInterceptor(
        new TokenBucket(qps, burst, () -> 0L),
        slept::add,
        OperatorMetrics.apiRequestsWaited(registry, "operator"),
        OperatorMetrics.apiRateLimitWait(registry, "operator"));
  }

  private static StandardHttpRequest request(String path) {
    return (StandardHttpRequest)
        new StandardHttpRequest.Builder().uri("https://127.0.0.1:6443" + path).build();
  }

  private static void send(RateLimitInterceptor limiter, StandardHttpRequest request) {
    limiter.before(request.newBuilder(), request, null);
  }

  @Test
  void requestsPastTheBurstWaitForTheirTokensAndAreCounted() {
    RateLimitInterceptor limiter = limiter(10, 2);
    for (int i = 0; i < 4; i++) {
      send(limiter, request("/api/v1/namespaces/team-a/secrets"));
    }
    assertThat(slept)
        .containsExactly(Duration.ofMillis(100).toNanos(), Duration.ofMillis(200).toNanos());
    assertThat(registry.get("managedsecret.api.requests.waited").counter().count()).isEqualTo(2);
    assertThat(
            registry
                .get("managedsecret.api.rate.limit.wait")
                .tag("client", "operator")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(300);
  }

  @Test
  void leaseRequestsOfLeaderElectionTakeNoToken() {
    RateLimitInterceptor limiter = limiter(1, 1);
    send(limiter, request("/api/v1/namespaces/team-a/secrets"));
    for (int i = 0; i < 5; i++) {
      send(
          limiter,
          request(
              "/apis/coordination.k8s.io/v1/namespaces/managedsecret-system/leases/"
                  + "managedsecret-operator"));
    }
    assertThat(slept).as("renewals never queue").isEmpty();
    send(limiter, request("/api/v1/namespaces/team-a/secrets"));
    assertThat(slept).containsExactly(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void aRetryAfterInSecondsIsWaitedWithUpToAQuarterMoreAtRandomAndAtMostFiveSeconds() {
    assertThat(RateLimitInterceptor.retryAfterNanos("1", 0))
        .isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(RateLimitInterceptor.retryAfterNanos("1", 0.999))
        .isBetween(Duration.ofSeconds(1).toNanos(), Duration.ofMillis(1250).toNanos());
    assertThat(RateLimitInterceptor.retryAfterNanos(" 3 ", 0.5))
        .isEqualTo(Duration.ofMillis(3375).toNanos());
    assertThat(RateLimitInterceptor.retryAfterNanos("3600", 0))
        .as("capped, so the attempt still fits its timeout")
        .isEqualTo(Duration.ofSeconds(5).toNanos());
    assertThat(RateLimitInterceptor.retryAfterNanos("3600", 0.999))
        .isLessThan(Duration.ofMillis(6250).toNanos());
  }

  @Test
  void noRetryAfterOrOneThatIsNoNumberOfSecondsAddsNoWait() {
    assertThat(RateLimitInterceptor.retryAfterNanos(null, 0.5)).isZero();
    assertThat(RateLimitInterceptor.retryAfterNanos("0", 0.5)).isZero();
    assertThat(RateLimitInterceptor.retryAfterNanos("-4", 0.5)).isZero();
    assertThat(RateLimitInterceptor.retryAfterNanos("Wed, 21 Oct 2015 07:28:00 GMT", 0.5)).isZero();
  }

  @Test
  void anInterruptedWaitLetsTheRequestGoAndKeepsTheInterruption() {
    RateLimitInterceptor limiter =
        new RateLimitInterceptor(
            new TokenBucket(1, 1, () -> 0L),
            nanos -> {
              throw new InterruptedException();
            },
            OperatorMetrics.apiRequestsWaited(registry, "operator"),
            OperatorMetrics.apiRateLimitWait(registry, "operator"));
    send(limiter, request("/api/v1/secrets"));
    send(limiter, request("/api/v1/secrets"));
    assertThat(Thread.interrupted()).isTrue();
  }
}
