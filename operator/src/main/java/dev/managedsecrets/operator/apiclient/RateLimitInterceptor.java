package dev.managedsecrets.operator.apiclient;

import dev.managedsecrets.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Holds each request of a fabric8 client until it has a token of the client's {@link TokenBucket}.
 * fabric8 calls {@link #before} for every request it sends: the first attempt, on the caller's
 * thread, and each retry it makes of an answer 429 or 5xx or of a broken connection, on its
 * scheduler thread after its back-off: so a retry takes a token too, and a throttled client's
 * retries never add up to more than its rate. (A retry's wait for a token holds fabric8's scheduler
 * thread for that long: at most the requests queued before it over qps.) A watch takes one token
 * when it is opened; the stream it keeps holds none.
 *
 * <p>An answer 429 Too Many Requests (API Priority and Fairness) is held back for its Retry-After
 * (seconds, at most {@link #LONGEST_RETRY_AFTER}) and a random quarter more, before fabric8 sees it
 * and retries: fabric8 7.5.2 retries a 429 up to {@code requestRetryBackoffLimit} times (10 by
 * default) after its own back-off of 100 ms doubling, but never waits the Retry-After it reads. So
 * a throttled request is sent again no sooner than the server asked, callers throttled together do
 * not come back together, and each retry takes a token like any request. A client that never
 * retries (a peer region's) is not held back.
 *
 * <p>Requests to the Lease API (leader election, group {@code coordination.k8s.io}) take no token:
 * a renewal must not queue behind a backlog of reconciles and miss its deadline, which is why
 * kube-controller-manager gives leader election a client of its own.
 */
final class RateLimitInterceptor implements Interceptor {

  /** The interceptor's name in the client's chain. */
  static final String NAME = "managedsecret-rate-limit";

  private static final String LEASES = "/apis/coordination.k8s.io/";

  /**
   * The longest Retry-After waited: with its jitter and fabric8's back-off it stays well inside a
   * request's timeout (10 s by default, plus half of it), which the wait counts against.
   */
  static final Duration LONGEST_RETRY_AFTER = Duration.ofSeconds(5);

  /** The most a Retry-After is lengthened at random, as a fraction of it. */
  static final double JITTER = 0.25;

  /** Waits out a delay; a test's records it instead. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  private static final int TOO_MANY_REQUESTS = 429;

  private final TokenBucket bucket;
  private final Sleeper sleeper;
  private final Counter waited;
  private final Timer waits;

  RateLimitInterceptor(TokenBucket bucket, Sleeper sleeper, Counter waited, Timer waits) {
    this.bucket = bucket;
    this.sleeper = sleeper;
    this.waited = waited;
    this.waits = waits;
  }

  /** A limiter of {@code bucket} whose waits are counted in {@code registry}, tagged client. */
  static RateLimitInterceptor of(TokenBucket bucket, MeterRegistry registry, String client) {
    return new RateLimitInterceptor(
        bucket,
        TimeUnit.NANOSECONDS::sleep,
        OperatorMetrics.apiRequestsWaited(registry, client),
        OperatorMetrics.apiRateLimitWait(registry, client));
  }

  /**
   * Holds an answer 429 back for its Retry-After and jitter, without a thread, when fabric8 will
   * try again; then fabric8 retries it (taking a token in {@link #before}).
   */
  @Override
  public CompletableFuture<Boolean> afterFailure(
      BasicBuilder builder, HttpResponse<?> response, RequestTags tags) {
    long nanos =
        response.code() == TOO_MANY_REQUESTS && retries(tags)
            ? retryAfterNanos(
                response.header("Retry-After"), ThreadLocalRandom.current().nextDouble())
            : 0;
    if (nanos <= 0) {
      return CompletableFuture.completedFuture(false);
    }
    return CompletableFuture.supplyAsync(
        () -> false, CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS));
  }

  /** False when the client is told not to retry (requestRetryBackoffLimit 0). */
  private static boolean retries(RequestTags tags) {
    RequestConfig config = tags == null ? null : tags.getTag(RequestConfig.class);
    Integer limit = config == null ? null : config.getRequestRetryBackoffLimit();
    return limit == null || limit != 0;
  }

  /**
   * The wait for a Retry-After header in seconds, at most {@link #LONGEST_RETRY_AFTER}, lengthened
   * by {@code random} (0 to 1) times {@link #JITTER}; 0 when there is none or it is no number of
   * seconds.
   */
  static long retryAfterNanos(String retryAfter, double random) {
    if (retryAfter == null) {
      return 0;
    }
    long seconds;
    try {
      seconds = Long.parseLong(retryAfter.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
    if (seconds <= 0) {
      return 0;
    }
    long nanos = Math.min(Duration.ofSeconds(seconds).toNanos(), LONGEST_RETRY_AFTER.toNanos());
    return nanos + (long) (nanos * JITTER * random);
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (request.uri().getRawPath().startsWith(LEASES)) {
      return;
    }
    long nanos = bucket.reserve();
    if (nanos <= 0) {
      return;
    }
    waited.increment();
    waits.record(nanos, TimeUnit.NANOSECONDS);
    try {
      sleeper.sleep(nanos);
    } catch (InterruptedException e) {
      // Shutting down: the request goes now (fabric8 has no way to refuse it from here), and the
      // interruption stays for the caller to see.
      Thread.currentThread().interrupt();
    }
  }
}
