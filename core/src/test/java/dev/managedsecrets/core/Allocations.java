package dev.managedsecrets.core;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

/**
 * How many bytes of heap the current thread allocates while it runs something: tests bound what a
 * refused input costs, by size (never by time).
 */
public final class Allocations {

  private Allocations() {}

  /** The bytes the current thread allocated while {@code action} ran. */
  public static long during(Runnable action) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation is measured");
    threads.setThreadAllocatedMemoryEnabled(true);
    long before = threads.getCurrentThreadAllocatedBytes();
    action.run();
    return threads.getCurrentThreadAllocatedBytes() - before;
  }
}
