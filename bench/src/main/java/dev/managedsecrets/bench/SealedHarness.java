package dev.managedsecrets.bench;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.Sealer;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import dev.managedsecrets.core.sealing.SealingTarget;
import dev.managedsecrets.operator.OperatorRuntime;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Creating N ManagedSecrets of five sealed keys each until all are Ready, against the same N with
 * the same five values in plain text. Each phase runs on a fresh API server (in its own JVM, as in
 * {@link Harness}) with a fresh operator; rounds alternate which phase goes first, and the median
 * ratio is printed with every round's. The values are sealed before the clock starts: sealing is
 * the client's work, done once when a manifest is committed.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar [-Dbench.rounds=3]
 * dev.managedsecrets.bench.SealedHarness [N]}
 */
public final class SealedHarness {

  static final int KEYS = 5;
  static final String OPERATOR_NAMESPACE = "managedsecret-system";

  private final Harness harness;

  private SealedHarness(Harness harness) {
    this.harness = harness;
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = Math.max(1, Integer.getInteger("bench.rounds", 3));
    System.out.printf(
        "# Sealed harness: N=%d ManagedSecrets of %d keys, %d rounds, %d cores, max heap %d MiB,"
            + " Java %s%n",
        n,
        KEYS,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.version"));
    SealedHarness bench = new SealedHarness(new Harness(n));

    // Warm up both paths (this JVM's JIT; each server is new) with a few hundred of each.
    int warm = Math.min(n, 200);
    bench.phase("warm-up, plain", warm, false);
    bench.phase("warm-up, sealed", warm, true);

    List<Double> ratios = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      System.out.printf("# round %d of %d%n", round, rounds);
      long plain;
      long sealed;
      if (round % 2 == 1) {
        plain = bench.phase("plain", n, false);
        sealed = bench.phase("sealed", n, true);
      } else {
        sealed = bench.phase("sealed", n, true);
        plain = bench.phase("plain", n, false);
      }
      double ratio = (double) sealed / plain;
      ratios.add(ratio);
      System.out.printf(
          "round %d: sealed %d ms / plain %d ms = %.2fx%n", round, sealed, plain, ratio);
    }
    List<Double> sorted = new ArrayList<>(ratios);
    Collections.sort(sorted);
    System.out.printf(
        "rounds: sealed / plain %s, median %.2fx, spread %.2fx-%.2fx%n",
        Harness.ratios(ratios),
        Harness.median(ratios),
        sorted.get(0),
        sorted.get(sorted.size() - 1));
    System.exit(0);
  }

  /**
   * A fresh API server and operator; {@code count} ManagedSecrets created from 20 threads until all
   * are Ready. Returns the milliseconds.
   */
  long phase(String label, int count, boolean sealed) throws Exception {
    harness.startServer();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorRuntime runtime =
        OperatorRuntime.start(harness.client, harness.config(), registry, Clock.systemUTC());
    ManagedSecret[] objects = new ManagedSecret[count];
    long sealing = System.nanoTime();
    SealingPublicKey key = sealed ? publishedKey() : null;
    for (int i = 0; i < count; i++) {
      objects[i] = managedSecret(i, key);
    }
    sealing = (System.nanoTime() - sealing) / 1_000_000;
    harness.writes();
    double kmsBefore = Harness.kms(registry);
    Harness.Cpu cpu0 = harness.cpu();
    long ms = harness.createAndAwait(0, count, i -> objects[i]);
    System.out.printf(
        "%s: %d ManagedSecrets of %d keys Ready in %d ms (%s)%n  %s%n"
            + "  KMS calls %.0f; %.0f reconciles; time inside reconciles %.1f s; objects built"
            + " before the clock in %d ms%n",
        label,
        count,
        KEYS,
        ms,
        harness.writes(),
        harness.cpu().since(cpu0),
        Harness.kms(registry) - kmsBefore,
        Harness.reconciles(registry),
        Harness.seconds(registry, "managedsecret.reconcile.duration"),
        sealing);
    runtime.close();
    harness.stopServer();
    return ms;
  }

  /** The public key to seal for, as the kubectl plugin reads it from the published ConfigMap. */
  SealingPublicKey publishedKey() {
    var map =
        harness
            .client
            .configMaps()
            .inNamespace(OPERATOR_NAMESPACE)
            .withName(PublishedSealingKeys.CONFIG_MAP)
            .get();
    return PublishedSealingKeys.parse(map.getData().get(PublishedSealingKeys.KEYS)).current();
  }

  /**
   * ManagedSecret bench/app-i with five keys of 32 characters: in {@code data}, or sealed for
   * {@code key} in {@code sealedData} when it is not null.
   */
  static ManagedSecret managedSecret(int i, SealingPublicKey key) {
    ManagedSecret ms = new ManagedSecret();
    String name = "app-" + i;
    ms.setMetadata(new ObjectMetaBuilder().withNamespace("bench").withName(name).build());
    ManagedSecretSpec spec = new ManagedSecretSpec();
    Map<String, String> values = new TreeMap<>();
    for (int k = 1; k <= KEYS; k++) {
      String value = String.format("value-%d-of-app-%08d-0123456789", k, i).substring(0, 32);
      values.put(
          "key" + k,
          key == null
              ? value
              : Sealer.seal(
                  key,
                  SealingBinding.strict("bench", name, SealingTarget.data("key" + k)),
                  value.getBytes(StandardCharsets.UTF_8)));
    }
    if (key == null) {
      spec.data = values;
    } else {
      spec.sealedData = values;
    }
    ms.setSpec(spec);
    return ms;
  }
}
