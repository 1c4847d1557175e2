package dev.managedsecrets.operator.rotation;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Bounds the rotations that connect to something (a database host, a rotation function) that run at
 * the same time: at most {@code max} overall and {@code perHost} against one host. A slot is taken
 * without waiting: a rotation that finds none is remembered as waiting, holds no thread, and is
 * woken (its {@code wake} run) as soon as a slot it can use is given back, in the order the waiters
 * came; its caller also tries again a little later in case a wake-up is lost.
 */
public final class RotationSlots {

  /** The most waiters remembered; past it a waiter relies on its caller's later try. */
  static final int MAX_WAITING = 100_000;

  /** A taken slot; closing it gives it back (once). */
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  private final int max;
  private final int perHost;
  private final Map<String, Integer> byHost = new HashMap<>();
  private final Map<String, LinkedHashMap<String, Runnable>> waiting = new LinkedHashMap<>();
  private int running;
  private int waiters;

  public RotationSlots(int max, int perHost) {
    if (max < 1 || perHost < 1) {
      throw new IllegalArgumentException("slots must be at least 1");
    }
    this.max = max;
    this.perHost = perHost;
  }

  /** A slot for a rotation against {@code host}, or empty when none is free now. */
  public Optional<Slot> tryTake(String host) {
    return tryTake(host, null, null);
  }

  /**
   * A slot for a rotation against {@code host}, or empty when none is free now; then {@code waiter}
   * (a key: one entry per waiter) is remembered and {@code wake} runs once a slot it can use is
   * given back.
   */
  public Optional<Slot> tryTake(String host, String waiter, Runnable wake) {
    String key = host.toLowerCase(Locale.ROOT);
    synchronized (this) {
      int onHost = byHost.getOrDefault(key, 0);
      if (running >= max || onHost >= perHost) {
        if (waiter != null && waiters < MAX_WAITING) {
          if (waiting.computeIfAbsent(key, k -> new LinkedHashMap<>()).putIfAbsent(waiter, wake)
              == null) {
            waiters++;
          }
        }
        return Optional.empty();
      }
      running++;
      byHost.put(key, onHost + 1);
      if (waiter != null) {
        LinkedHashMap<String, Runnable> queue = waiting.get(key);
        if (queue != null && queue.remove(waiter) != null) {
          waiters--;
          if (queue.isEmpty()) {
            waiting.remove(key);
          }
        }
      }
    }
    return Optional.of(
        new Slot() {
          private boolean closed;

          @Override
          public void close() {
            Runnable wake;
            synchronized (RotationSlots.this) {
              if (closed) {
                return;
              }
              closed = true;
              running--;
              int left = byHost.get(key) - 1;
              if (left == 0) {
                byHost.remove(key);
              } else {
                byHost.put(key, left);
              }
              wake = nextWaiter(key);
            }
            if (wake != null) {
              wake.run();
            }
          }
        });
  }

  /**
   * The first waiter that the slot just given back on {@code freed} lets run: one of that host,
   * else (when the overall bound held it back) the first of another host with room; removed.
   */
  private Runnable nextWaiter(String freed) {
    Runnable wake = pop(freed);
    if (wake != null) {
      return wake;
    }
    for (Iterator<String> hosts = waiting.keySet().iterator(); hosts.hasNext(); ) {
      String host = hosts.next();
      if (byHost.getOrDefault(host, 0) < perHost) {
        return pop(host);
      }
    }
    return null;
  }

  private Runnable pop(String host) {
    LinkedHashMap<String, Runnable> queue = waiting.get(host);
    if (queue == null) {
      return null;
    }
    Iterator<Map.Entry<String, Runnable>> first = queue.entrySet().iterator();
    Runnable wake = first.next().getValue();
    first.remove();
    waiters--;
    if (queue.isEmpty()) {
      waiting.remove(host);
    }
    return wake;
  }

  /** Rotations running now (for tests and metrics). */
  public synchronized int running() {
    return running;
  }
}
