package dev.managedsecrets.operator.queue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reconcile executor: a fixed pool that starts a reconcile of a change someone made (see {@link
 * PendingChange}) before any queued check of an object that is already up to date (a resync, or an
 * event of a Secret the operator owns), and each class in the order it was asked.
 *
 * <p>Why: with many objects resident, resyncs come in bursts of hundreds; java-operator-sdk's
 * default executor is first-in first-out, so a change written during a burst waited behind all of
 * it. controller-runtime's priority queue makes the same choice (a resync or initial list is low
 * priority).
 *
 * <p>How it learns what a submission is for: java-operator-sdk calls {@link
 * Metrics#reconcileCustomResource} with the resource "right before a resource is dispatched to the
 * ExecutorService", on the dispatching thread; {@link #dispatchHook()} is that hook, and it hands
 * the rank to the next {@link #execute} on the same thread. A task it did not rank (any other
 * submission) counts as a change, so nothing is ever delayed by not being recognised.
 *
 * <p>A change to an object whose check is already queued: java-operator-sdk asks for no second
 * reconcile of an object it has one queued for (it runs the queued one, which reads the object as
 * it is when it starts). So when it receives the change's event ({@link Metrics#receivedEvent}),
 * the queued check of that object moves among the changes.
 *
 * <p>At most {@link #checkThreads} threads run checks at once; changes may use every thread.
 */
public final class ChangesFirstExecutor extends ThreadPoolExecutor {

  private final ThreadLocal<Boolean> nextIsCheck = new ThreadLocal<>();
  private final ThreadLocal<Key> nextKey = new ThreadLocal<>();
  private final Map<Key, Ranked> queuedCheckOf = new ConcurrentHashMap<>();
  private final AtomicLong promoted = new AtomicLong();
  private final Semaphore checkPermits;
  private final AtomicLong order = new AtomicLong();
  private final AtomicInteger queuedChanges = new AtomicInteger();
  private final AtomicInteger queuedChecks = new AtomicInteger();
  private final AtomicLong askedChanges = new AtomicLong();
  private final AtomicLong askedChecks = new AtomicLong();

  public ChangesFirstExecutor(int threads) {
    super(threads, threads, 0L, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(), threads());
    this.checkPermits = new Semaphore(checkThreads(threads));
  }

  /**
   * How many threads may run checks at once: a quarter of them (at least one). The rest wait for a
   * permit, holding no CPU, so that a change that comes during a burst of checks shares the CPU
   * with a few of them rather than with every thread (and the API server and the other processes of
   * the node with it).
   */
  public static int checkThreads(int threads) {
    return Math.max(1, threads / 4);
  }

  /** The hook to give java-operator-sdk among its metrics; it records nothing itself. */
  public Metrics dispatchHook() {
    return new Metrics() {
      @Override
      public void reconcileCustomResource(
          HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        nextIsCheck.set(!PendingChange.in(resource));
        nextKey.set(resource == null ? null : Key.of(resource));
      }

      @Override
      public void receivedEvent(Event event, Map<String, Object> metadata) {
        if (event instanceof ResourceEvent changed) {
          changed.getResource().filter(PendingChange::in).ifPresent(r -> promote(Key.of(r)));
        }
      }
    };
  }

  @Override
  public void execute(Runnable command) {
    Boolean check = nextIsCheck.get();
    Key key = nextKey.get();
    nextIsCheck.remove();
    nextKey.remove();
    Ranked ranked = new Ranked(command, Boolean.TRUE.equals(check), order.getAndIncrement(), key);
    (ranked.check ? askedChecks : askedChanges).incrementAndGet();
    if (ranked.check && key != null) {
      queuedCheckOf.put(key, ranked);
    }
    enqueue(ranked);
  }

  private void enqueue(Ranked ranked) {
    (ranked.check ? queuedChecks : queuedChanges).incrementAndGet();
    super.execute(ranked);
  }

  /** The queued check of this object, if one is still queued, moves among the changes. */
  private void promote(Key key) {
    Ranked queued = queuedCheckOf.remove(key);
    if (queued != null && getQueue().remove(queued)) {
      queuedChecks.decrementAndGet();
      promoted.incrementAndGet();
      enqueue(new Ranked(queued.task, false, queued.order, key));
    }
  }

  @Override
  protected void beforeExecute(Thread thread, Runnable task) {
    if (task instanceof Ranked ranked) {
      (ranked.check ? queuedChecks : queuedChanges).decrementAndGet();
      if (ranked.check && ranked.key != null) {
        queuedCheckOf.remove(ranked.key, ranked);
      }
      if (ranked.check) {
        checkPermits.acquireUninterruptibly(); // given back in afterExecute
      }
    }
  }

  @Override
  protected void afterExecute(Runnable task, Throwable failure) {
    if (task instanceof Ranked ranked && ranked.check) {
      checkPermits.release();
    }
  }

  /** Queued checks that a change of their object moved among the changes. */
  public long promotedChecks() {
    return promoted.get();
  }

  /** Reconciles of changes asked for and not started yet. */
  public int queuedChanges() {
    return queuedChanges.get();
  }

  /** Checks of up-to-date objects asked for and not started yet. */
  public int queuedChecks() {
    return queuedChecks.get();
  }

  /** Reconciles of changes asked for since the start. */
  public long askedChanges() {
    return askedChanges.get();
  }

  /** Checks asked for since the start. */
  public long askedChecks() {
    return askedChecks.get();
  }

  private static ThreadFactory threads() {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "reconcile-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** An object of one kind, as java-operator-sdk's resource ID names it within its kind. */
  private record Key(Class<?> kind, String namespace, String name) {
    static Key of(HasMetadata resource) {
      return new Key(
          resource.getClass(),
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName());
    }
  }

  private record Ranked(Runnable task, boolean check, long order, Key key)
      implements Runnable, Comparable<Ranked> {

    @Override
    public void run() {
      task.run();
    }

    @Override
    public int compareTo(Ranked other) {
      if (check != other.check) {
        return check ? 1 : -1;
      }
      return Long.compare(order, other.order);
    }
  }
}
