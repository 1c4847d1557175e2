package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store a ManagedSecret can fill is bounded (docs/STORES.md, "How much one ManagedSecret
 * stores"): at most 120 versions (the newest 100, which hold every version younger than 24 hours,
 * and one older version per staging label, at most 20 labels), each at most one envelope of the
 * largest value. Written here through the running operator at the worst the rules allow, and
 * measured as the store Secrets' data in the operator's namespace.
 */
class StoreBoundIT {

  /** The documented bound with the local KMS: 120 version objects and a record of 1 MiB. */
  static final long MAX_VERSIONS = 120;

  static final long MAX_VERSION_OBJECT = 65_717;
  static final long MAX_RECORD = 1_048_576;
  static final long MAX_STORE = MAX_VERSIONS * MAX_VERSION_OBJECT + MAX_RECORD;

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void theStoreOfOneManagedSecretStaysWithinItsBoundAtTheMostVersionsOfTheLargestValue() {
    Random random = new Random(42);
    // The largest value: one byte more is refused, and nothing is stored.
    create(
        cluster.client,
        managedSecret("team-a", "worst", s -> s.data = Map.of("v", text(random, LARGEST + 1))));
    awaitReady(cluster.client, "team-a", "worst", "False", "ValidationException");
    assertThat(new StoreView(cluster.client).record("team-a", "team-a/worst"))
        .as("nothing is stored, not even a record without versions")
        .isEmpty();
    newValue(random);
    assertThat(open(record().current().orElseThrow())).hasSize(65_536);
    // 18 versions of the largest value, each given a custom staging label: with AWSCURRENT and
    // AWSPREVIOUS that is the 20 labels a secret may carry, and retention keeps them for good.
    for (int i = 1; i < 18; i++) {
      newValue(random);
    }
    Map<String, String> stages = new TreeMap<>();
    List<StoredVersion> first = record().versions();
    for (int i = 0; i < first.size(); i++) {
      stages.put("KEEP" + i, first.get(i).versionId());
    }
    edit(cluster.client, "team-a", "worst", s -> s.versionStages = stages);
    awaitSynced(cluster.client, "team-a", "worst");

    // A day later, the 100 versions a day allows: retention keeps all of them and the labelled.
    cluster.clock.advance(Duration.ofHours(25));
    for (int i = 0; i < 100; i++) {
      newValue(random);
    }
    String oneMore = text(random, LARGEST);
    edit(cluster.client, "team-a", "worst", s -> s.data = Map.of("v", oneMore));
    awaitReady(cluster.client, "team-a", "worst", "False", "LimitExceededException");

    StoredSecret stored = record();
    assertThat(first).hasSize(18);
    assertThat(stored.versions()).hasSize(118);
    long versionObjects = 0;
    long largestVersionObject = 0;
    long recordObject = 0;
    List<Secret> objects = new StoreView(cluster.client).objects();
    for (Secret s : objects) {
      long size = dataSize(s);
      if ("record".equals(s.getMetadata().getLabels().get("managedsecrets.dev/store"))) {
        recordObject = size;
      } else {
        versionObjects += size;
        largestVersionObject = Math.max(largestVersionObject, size);
      }
    }
    long total = versionObjects + recordObject;
    System.out.printf(
        "StoreBoundIT: %d store objects (%d versions), %d bytes of data: versions %d (largest %d),"
            + " record %d; bound %d%n",
        objects.size(),
        stored.versions().size(),
        total,
        versionObjects,
        largestVersionObject,
        recordObject,
        MAX_STORE);
    assertThat(objects).hasSize(stored.versions().size() + 1);
    assertThat(largestVersionObject).isLessThanOrEqualTo(MAX_VERSION_OBJECT);
    assertThat(recordObject).isLessThanOrEqualTo(MAX_RECORD);
    assertThat(total).isLessThanOrEqualTo(MAX_STORE);
  }

  /**
   * The text of {@code data.v} that makes the largest value: {"v":"..."} is 8 bytes around it, and
   * the value at most 65,536 bytes.
   */
  static final int LARGEST = 65_536 - 8;

  /** A new value of the largest size, through data: it makes a new version. */
  private static void newValue(Random random) {
    String value = text(random, LARGEST);
    edit(cluster.client, "team-a", "worst", s -> s.data = Map.of("v", value));
    awaitSynced(cluster.client, "team-a", "worst");
  }

  /** {@code length} random base64 characters. */
  private static String text(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes).substring(0, length);
  }

  private static String open(StoredVersion version) {
    return new StoreView(cluster.client).open(record(), version);
  }

  private static StoredSecret record() {
    return new StoreView(cluster.client).record("team-a", "team-a/worst").orElseThrow();
  }

  /** What a Secret holds, as Kubernetes counts it against its size bound: keys and bytes. */
  private static long dataSize(Secret s) {
    long size = 0;
    for (Map.Entry<String, String> e : s.getData().entrySet()) {
      size += e.getKey().length() + Base64.getDecoder().decode(e.getValue()).length;
    }
    return size;
  }
}
