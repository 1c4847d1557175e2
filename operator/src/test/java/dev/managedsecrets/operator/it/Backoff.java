package dev.managedsecrets.operator.it;

import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * The most requests a back-off allows in a window: its requests laid out with the shortest waits it
 * has, each answered at once. One actor (the reconciles of one ManagedSecret, one informer) makes
 * its requests one after the other. The fault tests count what the operator sent while something
 * failed and compare it with this.
 */
final class Backoff {

  private Backoff() {}

  /** How many requests fit in {@code window}: one at 0, the next after {@code waits.next()}. */
  static long mostRequests(Duration window, Iterator<Long> waits) {
    long at = 0;
    long requests = 0;
    while (at <= window.toMillis()) {
      requests++;
      at += waits.next();
    }
    return requests;
  }

  /**
   * Failed reconciles of one ManagedSecret: each makes {@code requests} requests one after the
   * other, each retried after {@code retryWaits} by the client that makes it, and the next
   * reconcile waits as the configured retry says.
   */
  static Iterator<Long> reconciles(
      OperatorConfig.RetrySettings retry, int requests, List<Long> retryWaits) {
    return attempts(requests, retryWaits, attempt -> retryDelay(retry, attempt));
  }

  /**
   * An informer whose watch was dropped: it makes {@code requests} requests again (a list, a
   * watch), each retried by the client, then waits fabric8's reconnect interval, doubled each time
   * up to 32 times.
   */
  static Iterator<Long> rewatches(Config client, int requests) {
    long interval =
        client.getWatchReconnectInterval() == null ? 1000 : client.getWatchReconnectInterval();
    return attempts(requests, clientRetries(client), attempt -> interval << Math.min(attempt, 5));
  }

  /**
   * The wait before retry {@code attempt + 1} of a failed reconcile (java-operator-sdk's
   * GenericRetry): the initial interval twice, then times the multiplier, at most the maximum.
   */
  static long retryDelay(OperatorConfig.RetrySettings retry, int attempt) {
    double wait =
        retry.initialInterval().toMillis() * Math.pow(retry.multiplier(), Math.max(0, attempt - 1));
    return (long) Math.min(wait, retry.maxInterval().toMillis());
  }

  /**
   * The Kubernetes client's own retries of one failed request (fabric8 retries on 429 and 5xx
   * {@code requestRetryBackoffLimit} times, waiting {@code requestRetryBackoffInterval}, doubled
   * each time up to 32 times): the waits after each attempt but the last.
   */
  static List<Long> clientRetries(Config client) {
    int limit =
        client.getRequestRetryBackoffLimit() == null
            ? Config.DEFAULT_REQUEST_RETRY_BACKOFFLIMIT
            : client.getRequestRetryBackoffLimit();
    int interval =
        client.getRequestRetryBackoffInterval() == null
            ? Config.DEFAULT_REQUEST_RETRY_BACKOFFINTERVAL
            : client.getRequestRetryBackoffInterval();
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < limit; i++) {
      waits.add((long) interval << Math.min(i, 5));
    }
    return waits;
  }

  /**
   * Attempts of {@code requests} requests each, one after the other, every request retried after
   * {@code retryWaits}; attempt n is followed by the wait {@code after(n)}.
   */
  private static Iterator<Long> attempts(
      int requests, List<Long> retryWaits, IntFunction<Long> after) {
    return IntStream.iterate(0, attempt -> attempt + 1)
        .boxed()
        .flatMap(
            attempt -> {
              List<Long> waits = new ArrayList<>();
              for (int request = 0; request < requests; request++) {
                waits.addAll(retryWaits);
                waits.add(0L); // the next request of the attempt follows at once
              }
              waits.set(waits.size() - 1, after.apply(attempt));
              return waits.stream();
            })
        .iterator();
  }
}
