package dev.managedsecrets.apiserver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The latest changes, kept so that a watch over plain HTTP (kubectl's way; fabric8 clients watch
 * over WebSocket, which the mock serves itself) can be answered with the events after a
 * resourceVersion.
 */
final class WatchLog {

  /** One change: where it happened, its type (ADDED, MODIFIED, DELETED) and the object. */
  record Event(long resourceVersion, ApiPath path, String type, String object) {}

  private final int capacity;
  private final Deque<Event> events = new ArrayDeque<>();
  private long oldestKept;
  private long latest;

  WatchLog(int capacity) {
    this.capacity = capacity;
  }

  synchronized void add(Event e) {
    events.addLast(e);
    latest = Math.max(latest, e.resourceVersion());
    while (events.size() > capacity) {
      oldestKept = events.removeFirst().resourceVersion();
    }
  }

  /** The resourceVersion of the latest change. */
  synchronized long latest() {
    return latest;
  }

  /** The oldest resourceVersion a watch can start from: the events after it are all kept. */
  synchronized long oldest() {
    return oldestKept;
  }

  /** The events after {@code resourceVersion}; null when they are no longer all kept. */
  synchronized List<Event> since(long resourceVersion) {
    if (resourceVersion < oldestKept) {
      return null;
    }
    List<Event> out = new ArrayList<>();
    for (Event e : events) {
      if (e.resourceVersion() > resourceVersion) {
        out.add(e);
      }
    }
    return out;
  }
}
