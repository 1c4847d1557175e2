package dev.managedsecrets.apiserver;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests the embedded API server answered, by HTTP method, so a test can assert, for example,
 * that an idle reconcile wrote nothing: {@code Mark m = counts.mark(); ...;
 * assertThat(counts.writesSince(m)).isZero();}
 */
public final class RequestCounts {

  /** The methods that change state. */
  public static final Set<String> WRITE_METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");

  /** The counts at one moment. */
  public record Mark(Map<String, Long> counts) {}

  private final Map<String, AtomicLong> byMethod = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> writes = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  void record(String method) {
    byMethod.computeIfAbsent(method.toUpperCase(), m -> new AtomicLong()).incrementAndGet();
  }

  /**
   * Counts a request by method and, for a write, by method and resource; and the time the server
   * took to answer it by method and resource (reads too).
   */
  void record(String method, String uri, long nanos) {
    record(method);
    String m = method.toUpperCase();
    ApiPath p = ApiPath.parse(uri);
    String resource =
        p == null ? "other" : p.resource() + (p.subresource() == null ? "" : "/" + p.subresource());
    String key = m + " " + resource;
    if (WRITE_METHODS.contains(m)) {
      writes.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }
    Timer t = timers.computeIfAbsent(key, k -> new Timer());
    t.requests.incrementAndGet();
    t.nanos.addAndGet(nanos);
  }

  /** Requests of one kind so far, and the server's time answering them. */
  public record Timing(long requests, long nanos) {}

  private static final class Timer {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong nanos = new AtomicLong();
  }

  /**
   * By method and resource, e.g. {@code "GET secrets"}: requests so far and the time the server
   * spent answering them (from routing to the response, not counting a watch's wait).
   */
  public Map<String, Timing> timings() {
    Map<String, Timing> now = new TreeMap<>();
    timers.forEach((k, t) -> now.put(k, new Timing(t.requests.get(), t.nanos.get())));
    return now;
  }

  /**
   * Write requests so far by method and resource, e.g. {@code "PATCH managedsecrets/status" -> 3}:
   * what a benchmark compares with a baseline.
   */
  public Map<String, Long> writesByResource() {
    Map<String, Long> now = new TreeMap<>();
    writes.forEach((k, n) -> now.put(k, n.get()));
    return now;
  }

  /** Requests with this HTTP method so far. */
  public long count(String method) {
    AtomicLong n = byMethod.get(method.toUpperCase());
    return n == null ? 0 : n.get();
  }

  /** The counts now, to compare with later. */
  public Mark mark() {
    Map<String, Long> now = new TreeMap<>();
    byMethod.forEach((m, n) -> now.put(m, n.get()));
    return new Mark(Map.copyOf(now));
  }

  /** Requests per method since {@code mark}. */
  public Map<String, Long> since(Mark mark) {
    Map<String, Long> out = new TreeMap<>();
    byMethod.forEach((m, n) -> out.put(m, n.get() - mark.counts().getOrDefault(m, 0L)));
    return out;
  }

  /** POST, PUT, PATCH and DELETE requests since {@code mark}. */
  public long writesSince(Mark mark) {
    return since(mark).entrySet().stream()
        .filter(e -> WRITE_METHODS.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }
}
