package dev.managedsecrets.operator.rotation;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Bounds the database rotations that run at the same time: at most {@code max} overall and {@code
 * perHost} against one database host. A slot is taken without waiting: a rotation that finds none
 * is tried again a little later, and holds no thread meanwhile.
 */
public final class RotationSlots {

  /** A taken slot; closing it gives it back (once). */
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  private final int max;
  private final int perHost;
  private final Map<String, Integer> byHost = new HashMap<>();
  private int running;

  public RotationSlots(int max, int perHost) {
    if (max < 1 || perHost < 1) {
      throw new IllegalArgumentException("slots must be at least 1");
    }
    this.max = max;
    this.perHost = perHost;
  }

  /** A slot for a rotation against {@code host}, or empty when none is free now. */
  public synchronized Optional<Slot> tryTake(String host) {
    String key = host.toLowerCase(Locale.ROOT);
    int onHost = byHost.getOrDefault(key, 0);
    if (running >= max || onHost >= perHost) {
      return Optional.empty();
    }
    running++;
    byHost.put(key, onHost + 1);
    return Optional.of(
        new Slot() {
          private boolean closed;

          @Override
          public void close() {
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
            }
          }
        });
  }

  /** Rotations running now (for tests and metrics). */
  public synchronized int running() {
    return running;
  }
}
