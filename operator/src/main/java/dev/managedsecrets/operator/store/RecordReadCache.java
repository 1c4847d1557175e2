package dev.managedsecrets.operator.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.managedsecrets.core.secret.StoredSecret;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes store's record objects as a watch on them last saw them, for the reads of values
 * (GetSecretValue): a record read again costs no API request. Bounded: at most {@link #MAX_ENTRIES}
 * names (the least recently used go first), and none kept longer than {@link #MAX_AGE}, which
 * bounds what a missed event could leave stale.
 *
 * <p>Fresh as the watch is, and never older than this replica's own writes: the watch starts at the
 * resource version of a list, so no change after it is missed; every object a read, a watch event
 * or this store's own write brings is kept only if its resource version is newer than the one kept
 * (a purge keeps that the object is gone). When the watch ends for good (its resource version
 * expired) everything kept is dropped, reads go to the API server, and the watch starts again from
 * a new list; a read that began before that keeps nothing. Another replica's write is seen here
 * when its watch event arrives.
 */
final class RecordReadCache implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RecordReadCache.class);

  /** The most record names kept. */
  static final int MAX_ENTRIES = 10_000;

  /** The longest a record is kept without being read, written or watched again. */
  static final Duration MAX_AGE = Duration.ofSeconds(30);

  /** How long after a failed start of the watch it is tried again (reads go to the server). */
  static final Duration RETRY = Duration.ofSeconds(5);

  /**
   * A record object, or its absence (null), at a resource version, and its records once decoded (at
   * the entry's first read, then kept with it: an object never changes under its version).
   */
  private final class Entry {
    final long version;
    final Secret object;
    private volatile List<StoredSecret> decoded;

    Entry(long version, Secret object) {
      this.version = version;
      this.object = object;
    }

    List<StoredSecret> records() {
      List<StoredSecret> out = decoded;
      if (out == null) {
        out = object == null ? List.of() : decode.apply(object);
        decoded = out;
      }
      return out;
    }
  }

  private final Supplier<FilterWatchListDeletable<Secret, SecretList, Resource<Secret>>> records;
  private final Function<Secret, List<StoredSecret>> decode;
  private final AtomicLong fromWatch = new AtomicLong();
  private final AtomicLong fromServer = new AtomicLong();
  private final Cache<String, Entry> entries =
      Caffeine.newBuilder()
          .maximumSize(MAX_ENTRIES)
          .expireAfterWrite(MAX_AGE)
          // Evictions on the calling thread: no background work, and the bound holds at once.
          .executor(Runnable::run)
          .build();

  /** Bumped each time the watch ends: a read begun before keeps nothing. */
  private long epoch;

  /** The epoch while the watch runs, else -1: what a read looks at without the lock. */
  private volatile long live = -1;

  private boolean closed;
  private Watch watch;
  private boolean failed;
  private long failedAt;

  /**
   * @param records the store's record objects (a label selection in its namespace)
   * @param decode the records a record object holds
   */
  RecordReadCache(
      Supplier<FilterWatchListDeletable<Secret, SecretList, Resource<Secret>>> records,
      Function<Secret, List<StoredSecret>> decode) {
    this.records = records;
    this.decode = decode;
  }

  /**
   * The records of the record object {@code name} (none without such an object), as kept, else as
   * {@code get} reads the object from the API server.
   */
  List<StoredSecret> read(String name, Supplier<Secret> get) {
    long began = live;
    if (began < 0) {
      synchronized (this) {
        startWatching();
        began = live;
      }
    }
    if (began >= 0) {
      Entry kept = entries.getIfPresent(name);
      if (kept != null) {
        fromWatch.incrementAndGet();
        return kept.records();
      }
    }
    fromServer.incrementAndGet();
    Secret fresh = get.get();
    if (fresh == null) {
      return List.of();
    }
    Entry read = entry(fresh);
    if (read == null) {
      return decode.apply(fresh);
    }
    List<StoredSecret> out = read.records();
    if (began >= 0) {
      synchronized (this) {
        if (live == began) {
          keep(name, read);
        }
      }
    }
    return out;
  }

  /**
   * This store wrote the record object: what it wrote is kept, unless something newer is. Only
   * while the watch runs: before it starts, nothing is read from what is kept, and the watch it
   * starts sees no change made before its list.
   */
  void wrote(Secret written) {
    if (live >= 0) {
      synchronized (this) {
        if (live >= 0) {
          offer(written.getMetadata().getName(), written);
        }
      }
    }
  }

  /** This store deleted the record object, last seen at {@code resourceVersion}. */
  void forgot(String name, String resourceVersion) {
    if (live >= 0) {
      synchronized (this) {
        if (live >= 0) {
          deleted(name, resourceVersion);
        }
      }
    }
  }

  private void deleted(String name, String resourceVersion) {
    Long version = version(resourceVersion);
    if (version == null) {
      entries.invalidate(name);
    } else {
      keep(name, new Entry(version, null));
    }
  }

  private void offer(String name, Secret object) {
    Entry entry = entry(object);
    if (entry == null) {
      entries.invalidate(name);
    } else {
      keep(name, entry);
    }
  }

  /** The entry of an object, or null when its resource version is not a number. */
  private Entry entry(Secret object) {
    Long version = version(object.getMetadata().getResourceVersion());
    // Kept without the envelopes the object holds inline: the cache's memory is the records'.
    return version == null ? null : new Entry(version, Inline.recordsOnly(object));
  }

  private void keep(String name, Entry next) {
    // A deletion at the version it deleted is newer than the object it deleted.
    entries
        .asMap()
        .merge(
            name,
            next,
            (old, now) ->
                now.version > old.version || (now.version == old.version && now.object == null)
                    ? now
                    : old);
  }

  private static Long version(String resourceVersion) {
    try {
      return resourceVersion == null ? null : Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      return null; // an API server whose versions are not numbers: nothing is kept
    }
  }

  /** Starts the watch when it is not running (at most every {@link #RETRY} after a failure). */
  private void startWatching() {
    if (live >= 0 || closed || (failed && System.nanoTime() - failedAt < RETRY.toNanos())) {
      return;
    }
    try {
      String from =
          records
              .get()
              .list(new ListOptionsBuilder().withLimit(1L).build())
              .getMetadata()
              .getResourceVersion();
      long started = epoch;
      watch =
          records
              .get()
              .watch(
                  new ListOptionsBuilder().withResourceVersion(from).build(),
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Secret object) {
                      String name = object.getMetadata().getName();
                      if (action == Action.DELETED) {
                        deleted(name, object.getMetadata().getResourceVersion());
                      } else if (action == Action.ADDED || action == Action.MODIFIED) {
                        offer(name, object);
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                      stopped(started, cause);
                    }
                  });
      live = epoch;
      failed = false;
    } catch (RuntimeException e) {
      failed = true;
      failedAt = System.nanoTime();
      LOG.info(
          "The store's record watch did not start; reads go to the API server: {}", e.toString());
    }
  }

  private synchronized void stopped(long startedAt, WatcherException cause) {
    if (epoch != startedAt) {
      return;
    }
    epoch++;
    live = -1;
    entries.invalidateAll();
    LOG.info(
        "The store's record watch ended ({}); it starts again at the next read",
        cause == null ? "closed" : cause.getMessage());
  }

  @Override
  public synchronized void close() {
    closed = true;
    epoch++;
    live = -1;
    entries.invalidateAll();
    if (watch != null) {
      watch.close();
    }
  }

  /** Reads served from what was kept. */
  long readsFromWatch() {
    return fromWatch.get();
  }

  /** Reads that went to the API server. */
  long readsFromServer() {
    return fromServer.get();
  }

  /** How many names are kept now (after pending evictions). */
  long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }
}
