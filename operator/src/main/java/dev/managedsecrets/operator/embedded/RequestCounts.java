package dev.managedsecrets.operator.embedded;

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

  void record(String method) {
    byMethod.computeIfAbsent(method.toUpperCase(), m -> new AtomicLong()).incrementAndGet();
  }

  /** Counts a request by method and, for a write, by method and resource. */
  void record(String method, String uri) {
    record(method);
    String m = method.toUpperCase();
    if (WRITE_METHODS.contains(m)) {
      ApiPath p = ApiPath.parse(uri);
      String resource =
          p == null
              ? "other"
              : p.resource() + (p.subresource() == null ? "" : "/" + p.subresource());
      writes.computeIfAbsent(m + " " + resource, k -> new AtomicLong()).incrementAndGet();
    }
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
