package dev.managedsecrets.bench;

import dev.managedsecrets.operator.OperatorRuntime;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * What the watch of fromSecret sources costs the operator's memory: live objects (after full
 * collections, {@link Live}) with N labelled source Secrets and N unlabelled Secrets resident, then
 * with 10N labelled, then with 10N unlabelled too. Each Secret holds 1 KiB of data, so a cache that
 * kept data would show at least that per Secret. {@code SourceWatchHarness N} (default 2000); the
 * API server runs in its own JVM.
 */
public final class SourceWatchHarness {

  private static final String DATA = "x".repeat(1024);

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Harness h = new Harness(n);
    h.startServer();
    OperatorRuntime runtime =
        OperatorRuntime.start(h.client, h.config(), new SimpleMeterRegistry(), Clock.systemUTC());
    create(h, "labelled-", 0, n, true);
    create(h, "plain-", 0, n, false);
    Live base = settle();
    create(h, "labelled-", n, 9 * n, true);
    Live labelled = settle();
    create(h, "plain-", n, 9 * n, false);
    Live plain = settle();
    System.out.printf(
        "# SourceWatchHarness N=%d: live objects per Secret from N to 10N (histogram / heap in"
            + " use)%n",
        n);
    System.out.printf(
        "| labelled source Secrets (watched) | %.0f B | %.0f B |%n",
        per(labelled.histogramBytes() - base.histogramBytes(), 9 * n),
        per(labelled.heapBytes() - base.heapBytes(), 9 * n));
    System.out.printf(
        "| unlabelled Secrets (not watched) | %.0f B | %.0f B |%n",
        per(plain.histogramBytes() - labelled.histogramBytes(), 9 * n),
        per(plain.heapBytes() - labelled.heapBytes(), 9 * n));
    grown("labelled", base, labelled);
    grown("unlabelled", labelled, plain);
    runtime.close();
    h.stopServer();
    System.exit(0);
  }

  /** The classes whose live bytes grew most from {@code before} to {@code after}. */
  private static void grown(String phase, Live before, Live after) {
    System.out.printf("# classes that grew most with the %s Secrets (bytes, instances):%n", phase);
    after.classes().entrySet().stream()
        .map(
            e -> {
              long[] was = before.classes().getOrDefault(e.getKey(), new long[2]);
              return java.util.Map.entry(
                  e.getKey(), new long[] {e.getValue()[1] - was[1], e.getValue()[0] - was[0]});
            })
        .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .limit(8)
        .forEach(
            e -> System.out.printf("#   %s %d %d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
  }

  private static double per(long bytes, int count) {
    return (double) bytes / count;
  }

  private static void create(Harness h, String prefix, int from, int count, boolean label)
      throws Exception {
    Harness.parallel(
        from,
        count,
        i -> {
          var meta = new SecretBuilder().withNewMetadata().withName(prefix + i);
          if (label) {
            meta.addToLabels("managedsecrets.dev/source", "true");
          }
          h.client
              .secrets()
              .inNamespace("noise")
              .resource(meta.endMetadata().addToStringData("value", DATA).build())
              .create();
        });
  }

  /** Live objects once the watch has had time to deliver what was written. */
  private static Live settle() throws Exception {
    Thread.sleep(5000);
    return Live.measure();
  }
}
