package dev.managedsecrets.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live objects of this JVM (the operator's, when the API server runs in its own process) after full
 * collections, two ways: the total of {@code jcmd <pid> GC.class_histogram} (which collects first
 * and then counts every live object) and the heap in use read from {@code MemoryMXBean} after
 * {@code System.gc()}, repeated until two readings agree within 1 MiB. Each is the least of its
 * readings, so that what a background thread allocated between a collection and its reading is not
 * counted.
 */
record Live(long histogramBytes, long heapBytes, Map<String, long[]> classes) {

  static final int HISTOGRAMS = 3;
  static final int MAX_COLLECTIONS = 12;

  static Live measure() throws Exception {
    long histogram = Long.MAX_VALUE;
    Map<String, long[]> classes = null;
    for (int i = 0; i < HISTOGRAMS; i++) {
      Map<String, long[]> reading = histogram();
      long total = reading.values().stream().mapToLong(v -> v[1]).sum();
      if (total < histogram) {
        histogram = total;
        classes = reading;
      }
      Thread.sleep(500);
    }
    long heap = Long.MAX_VALUE;
    long previous = -1;
    for (int i = 0; i < MAX_COLLECTIONS; i++) {
      System.gc();
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      heap = Math.min(heap, used);
      if (i >= 2 && Math.abs(used - previous) < (1 << 20)) {
        break;
      }
      previous = used;
      Thread.sleep(300);
    }
    return new Live(histogram, heap, classes);
  }

  /** This JVM's live objects by class (jcmd GC.class_histogram): class -> {instances, bytes}. */
  static Map<String, long[]> histogram() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java.replaceFirst("java$", "jcmd"),
                String.valueOf(ProcessHandle.current().pid()),
                "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    Map<String, long[]> out = new HashMap<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 4 && f[0].endsWith(":")) {
          out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
      }
    }
    p.waitFor();
    if (out.isEmpty()) {
      throw new IllegalStateException("jcmd GC.class_histogram printed no class");
    }
    return out;
  }

  /**
   * Writes a dump of this JVM's live objects to {@code -Dbench.heapDump} (a path; unset: none), to
   * find out what the live objects are.
   */
  static void dumpIfAsked(String suffix) throws Exception {
    String path = System.getProperty("bench.heapDump");
    if (path == null) {
      return;
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java.replaceFirst("java$", "jcmd"),
                String.valueOf(ProcessHandle.current().pid()),
                "GC.heap_dump",
                path + suffix)
            .inheritIO()
            .start();
    p.waitFor();
  }

  /** The classes whose live bytes grew most between two histograms, per ManagedSecret added. */
  static void printGrowth(Map<String, long[]> before, Map<String, long[]> after, int added) {
    List<Map.Entry<String, Long>> growth = new ArrayList<>();
    after.forEach(
        (k, v) -> growth.add(Map.entry(k, v[1] - before.getOrDefault(k, new long[2])[1])));
    growth.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    long total = growth.stream().mapToLong(Map.Entry::getValue).sum();
    System.out.printf(
        "memory: live objects (class histogram) grew %.2f KiB per ManagedSecret%n",
        total / 1024.0 / added);
    StringBuilder line = new StringBuilder("  grew most, bytes per ManagedSecret:");
    for (Map.Entry<String, Long> e :
        growth.subList(0, Math.min(Integer.getInteger("bench.topClasses", 15), growth.size()))) {
      long instances = after.get(e.getKey())[0] - before.getOrDefault(e.getKey(), new long[2])[0];
      line.append(
          String.format(
              " %s %d (%.1f objects);",
              e.getKey(), e.getValue() / added, (double) instances / added));
    }
    System.out.println(line);
  }

  @Override
  public String toString() {
    return String.format(
        "live objects %,d KiB (class histogram), heap used after full collections %,d KiB",
        histogramBytes >> 10, heapBytes >> 10);
  }
}
