package dev.managedsecrets.operator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.RecordMac;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretTag;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.secret.Versions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link SecretStore} does, whatever holds the data: one suite, one subclass per store.
 * Each test works on secrets of its own namespace, so the tests share one store and one server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SecretStoreContract {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  /** Times with microseconds: what every store keeps exactly. */
  private static final Instant T0 = Instant.parse("2026-03-04T05:06:07.123456Z");

  private SecretStore store;
  private ExecutorService threads;

  /** Starts what the store needs and returns it. Called once per class. */
  protected abstract SecretStore openStore();

  /** Stops what {@link #openStore()} started. */
  protected abstract void closeStore();

  @BeforeAll
  void open() {
    store = openStore();
    threads = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  void close() {
    threads.shutdownNow();
    closeStore();
  }

  protected SecretStore store() {
    return store;
  }

  // ---- records ----

  @Test
  void createFindAndUpdateRoundTripEveryField() {
    SecretId id = newId("orders/db");
    SecretStore s = store();
    s.writeVersion(id, "v1", bytes(100));
    s.writeVersion(id, "v2", bytes(100));
    StoredSecret full =
        new StoredSecret(
            id,
            "arn:k8s:secretsmanager:local:123456789012:secret:orders/db-AbCdEf",
            "orders-db",
            "uid-1",
            T0,
            T0.plusSeconds(60),
            null,
            null,
            List.of(
                version("v1", T0, List.of(StagingLabels.AWSPREVIOUS, "blue"), Map.of()),
                version(
                    "v2",
                    T0.plusSeconds(60),
                    List.of(StagingLabels.AWSCURRENT),
                    Map.of("password", "h1", "apiKey", "h2"))),
            null);

    StoredSecret created = s.create(full);
    assertThat(created.revision()).isNotBlank();
    assertSameRecord(created, full);
    assertSameRecord(s.find(id).orElseThrow(), full);
    assertThat(s.find(id).orElseThrow().revision()).isEqualTo(created.revision());

    s.writeVersion(id, "v3", bytes(100));
    StoredSecret changed =
        new StoredSecret(
            id,
            full.arn(),
            "orders-db-2",
            "uid-2",
            T0.minusSeconds(5),
            T0.plusSeconds(120),
            T0.plusSeconds(180),
            T0.plus(Duration.ofDays(7)),
            List.of(
                version("v2", T0.plusSeconds(60), List.of(StagingLabels.AWSPREVIOUS), Map.of()),
                version(
                    "v3",
                    T0.plusSeconds(120),
                    List.of(StagingLabels.AWSCURRENT, "AWSPENDING"),
                    Map.of("password", "h3"))),
            created.revision());
    StoredSecret updated = s.update(changed);
    assertThat(updated.revision()).isNotEqualTo(created.revision());
    assertSameRecord(updated, changed);
    assertThat(s.find(id)).contains(updated);
  }

  @Test
  void aNewRecordWithoutVersionsOrDatesRoundTrips() {
    SecretId id = newId("fresh");
    StoredSecret fresh = StoredSecret.create(id, arn(id), "fresh", "uid", T0);
    StoredSecret created = store().create(fresh);
    assertSameRecord(created, fresh);
    assertThat(created.versions()).isEmpty();
    assertThat(created.lastChangedDate()).isNull();
    assertThat(created.deletedDate()).isNull();
    assertThat(created.purgeAfter()).isNull();
    assertThat(store().find(id)).contains(created);
  }

  @Test
  void timesAreKeptToTheMicrosecondAtLeast() {
    SecretId id = newId("precise");
    Instant nanos = Instant.parse("2026-03-04T05:06:07.123456789Z");
    StoredSecret created = store().create(StoredSecret.create(id, arn(id), "p", "uid", nanos));
    Instant kept = store().find(id).orElseThrow().createdDate();
    assertThat(Duration.between(kept, nanos).abs()).isLessThan(Duration.ofNanos(1000));
    assertThat(created.createdDate()).isEqualTo(kept);
  }

  @Test
  void findOfAMissingSecretIsEmpty() {
    assertThat(store().find(newId("nothing-here"))).isEmpty();
  }

  @Test
  void createOfAnExistingIdIsRefused() {
    SecretId id = newId("taken");
    StoredSecret first = store().create(StoredSecret.create(id, arn(id), "first", "uid-1", T0));
    assertThatThrownBy(
            () -> store().create(StoredSecret.create(id, arn(id) + "x", "second", "uid-2", T0)))
        .isInstanceOf(StoreConflictException.class);
    assertThat(store().find(id)).contains(first);
  }

  @Test
  void updateFromAStaleRevisionIsRefused() {
    SecretId id = newId("stale");
    StoredSecret v1 = store().create(StoredSecret.create(id, arn(id), "stale", "uid-1", T0));
    StoredSecret v2 = store().update(v1.withOwner("stale", "uid-2"));

    assertThatThrownBy(() -> store().update(v1.withOwner("stale", "uid-3")))
        .isInstanceOf(StoreConflictException.class);
    assertThat(store().find(id)).contains(v2);
    assertThat(store().update(v2.withOwner("stale", "uid-4")).ownerUid()).isEqualTo("uid-4");
  }

  @Test
  void updateOfAPurgedRecordIsRefused() {
    SecretId id = newId("gone");
    StoredSecret v1 = store().create(StoredSecret.create(id, arn(id), "gone", "uid", T0));
    store().purge(store().find(id).orElseThrow());
    assertThatThrownBy(() -> store().update(v1.withOwner("gone", "uid-2")))
        .isInstanceOf(StoreConflictException.class);
    assertThat(store().find(id)).isEmpty();
  }

  @Test
  void scheduledDeletionAndRestoreRoundTrip() {
    SecretId id = newId("deleted");
    StoredSecret live = store().create(StoredSecret.create(id, arn(id), "d", "uid", T0));
    Instant deleted = T0.plus(Duration.ofHours(1));
    Instant purgeAfter = deleted.plus(Duration.ofDays(7));

    StoredSecret scheduled = store().update(live.scheduledForDeletion(deleted, purgeAfter));
    StoredSecret found = store().find(id).orElseThrow();
    assertThat(found.scheduledForDeletion()).isTrue();
    assertThat(found.deletedDate()).isEqualTo(deleted);
    assertThat(found.purgeAfter()).isEqualTo(purgeAfter);
    assertThat(listed(id)).contains(found);

    StoredSecret restored = store().update(scheduled.restored());
    assertThat(restored.scheduledForDeletion()).isFalse();
    assertThat(store().find(id).orElseThrow().deletedDate()).isNull();
    assertThat(store().find(id).orElseThrow().purgeAfter()).isNull();
    assertThat(store().find(id).orElseThrow().arn()).isEqualTo(live.arn());
  }

  /**
   * A record scheduled for deletion keeps the deleted ManagedSecret's description, KMS key and tags
   * exactly (tag order, an empty value, characters outside ASCII), through every read, under its
   * MAC; a restore drops them, and a record that keeps none reads back without.
   */
  @Test
  void theDescriptionKeyAndTagsKeptWhileScheduledRoundTripAndGoOnRestore() {
    SecretStore s = authenticated();
    SecretId id = newId("kept");
    StoredSecret live = s.create(StoredSecret.create(id, arn(id), "k", "uid", T0));
    KeptMetadata kept =
        new KeptMetadata(
            "Datenbank für Bestellungen \u0000 \uD83D\uDD11",
            "alias/orders",
            List.of(
                new SecretTag("zeta", "1"),
                new SecretTag("alpha", ""),
                new SecretTag("team", "orders")));

    StoredSecret scheduled =
        s.update(live.scheduledForDeletion(T0, T0.plus(Duration.ofDays(7)), kept));

    for (StoredSecret read :
        List.of(scheduled, s.find(id).orElseThrow(), s.findByName(id).get(0), listed(id).get(0))) {
      assertThat(read.kept()).isEqualTo(kept);
    }
    assertThat(MAC.verifies(store().find(id).orElseThrow())).isTrue();
    StoredSecret restored = s.update(s.find(id).orElseThrow().restored());
    assertThat(restored.kept()).isNull();
    assertThat(s.find(id).orElseThrow().kept()).isNull();
    assertThat(s.find(id).orElseThrow().scheduledForDeletion()).isFalse();
  }

  @Test
  void listReturnsEveryStoredSecretWithItsVersions() {
    String namespace = newNamespace();
    List<StoredSecret> created = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      SecretId id = new SecretId(namespace, name);
      StoredSecret s = store().create(StoredSecret.create(id, arn(id), name, "uid-" + name, T0));
      store().writeVersion(id, "v-" + name, bytes(10));
      created.add(
          store()
              .update(
                  Versions.addCurrent(s, version("v-" + name, T0, List.of(), Map.of()), T0)
                      .secret()));
    }
    List<StoredSecret> listed =
        store().list().stream().filter(s -> s.id().namespace().equals(namespace)).toList();
    assertThat(listed).containsExactlyInAnyOrderElementsOf(created);
  }

  // ---- versions ----

  @Test
  void versionBytesRoundTrip() {
    SecretId id = newId("bytes");
    byte[] envelope = bytes(1000);
    store().writeVersion(id, "v1", envelope);
    assertThat(store().readVersion(id, "v1")).isEqualTo(envelope);
  }

  @Test
  void ciphertextBytesAreReadExactlyAsWritten() {
    SecretId id = newId("exact");
    byte[] everyByte = new byte[512];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) i;
    }
    byte[] big = bytes(64 * 1024);
    store().writeVersion(id, "every-byte", everyByte);
    store().writeVersion(id, "64KiB", big);
    store().writeVersion(id, "one-byte", new byte[] {0});
    assertThat(store().readVersion(id, "every-byte")).isEqualTo(everyByte);
    assertThat(store().readVersion(id, "64KiB")).isEqualTo(big);
    assertThat(store().readVersion(id, "one-byte")).containsExactly(0);
  }

  @Test
  void aHundredVersionsOf64KibFit() {
    SecretId id = newId("big-history");
    StoredSecret secret = store().create(StoredSecret.create(id, arn(id), "big", "uid", T0));
    List<byte[]> written = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] envelope = bytes(64 * 1024);
      written.add(envelope);
      Instant at = T0.plusSeconds(i);
      StoredSecret next =
          Versions.addCurrent(secret, version("v" + i, at, List.of(), Map.of()), at).secret();
      secret = store().addVersion(next, "v" + i, envelope);
    }
    StoredSecret found = store().find(id).orElseThrow();
    assertThat(found.versions()).hasSize(100);
    assertThat(found.current().orElseThrow().versionId()).isEqualTo("v99");
    for (int i = 0; i < 100; i++) {
      assertThat(store().readVersion(id, "v" + i)).as("version %d", i).isEqualTo(written.get(i));
    }
  }

  @Test
  void readingAMissingVersionIsResourceNotFound() {
    SecretId id = newId("missing-version");
    store().writeVersion(id, "there", bytes(10));
    assertThatThrownBy(() -> store().readVersion(id, "not-there"))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION));
    assertThatThrownBy(() -> store().readVersion(newId("no-secret"), "there"))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION));
  }

  @Test
  void deleteVersionsRemovesTheCiphertextOfVersionsTheRecordNoLongerLists() {
    SecretId id = newId("dropped");
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "d", "uid", T0));
    store().writeVersion(id, "old-1", bytes(10));
    store().writeVersion(id, "old-2", bytes(10));
    byte[] kept = bytes(10);
    s = store().addVersion(added(s, "kept", T0), "kept", kept);

    store().deleteVersions(id, List.of("old-1", "old-2", "never-written"));

    assertMissing(id, "old-1");
    assertMissing(id, "old-2");
    assertThat(store().readVersion(id, "kept")).isEqualTo(kept);
    assertThat(store().find(id)).contains(s);
  }

  @Test
  void deleteVersionsKeepsAVersionTheRecordStillLists() {
    SecretId id = newId("still-listed");
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "d", "uid", T0));
    byte[] envelope = bytes(10);
    store().addVersion(added(s, "current", T0), "current", envelope);

    store().deleteVersions(id, List.of("current"));

    assertThat(store().readVersion(id, "current")).isEqualTo(envelope);
  }

  // ---- re-encryption ----

  static final String OLD_KEY = "arn:k8s:kms:local:123456789012:key/0000";
  static final String NEW_KEY = "arn:k8s:kms:local:123456789012:key/1111";
  static final String THIRD_KEY = "arn:k8s:kms:local:123456789012:key/2222";

  /** The record with the given versions' key ARN changed, as re-encryption makes it. */
  private static StoredSecret rekeyed(StoredSecret s, String keyArn, String... versionIds) {
    List<String> ids = List.of(versionIds);
    return s.withVersions(
        s.versions().stream()
            .map(v -> ids.contains(v.versionId()) ? v.withKmsKeyArn(keyArn) : v)
            .toList(),
        s.lastChangedDate());
  }

  @Test
  void replaceEnvelopesSwapsTheEnvelopesAndKeyArnsOfListedVersionsTogether() {
    SecretId id = newId("rekeyed");
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "r", "uid", T0));
    byte[] first = bytes(40);
    s = store().addVersion(added(s, "v1", T0), "v1", first);
    s = store().addVersion(added(s, "v2", T0.plusSeconds(1)), "v2", bytes(40));
    byte[] second = bytes(40);

    StoredSecret written =
        store().replaceEnvelopes(rekeyed(s, NEW_KEY, "v2"), Map.of("v2", second));

    assertThat(written.version("v2").orElseThrow().kmsKeyArn()).isEqualTo(NEW_KEY);
    assertThat(written.version("v1").orElseThrow().kmsKeyArn()).isEqualTo(OLD_KEY);
    assertThat(written.version("v2").orElseThrow().stages()).containsExactly("AWSCURRENT");
    assertThat(store().find(id)).contains(written);
    assertThat(store().readVersion(id, written.version("v2").orElseThrow())).isEqualTo(second);
    assertThat(store().readVersion(id, "v2")).isEqualTo(second);
    assertThat(store().readVersion(id, "v1")).isEqualTo(first);

    // And again, under a third key.
    byte[] third = bytes(40);
    written = store().replaceEnvelopes(rekeyed(written, THIRD_KEY, "v2"), Map.of("v2", third));
    assertThat(written.version("v2").orElseThrow().kmsKeyArn()).isEqualTo(THIRD_KEY);
    assertThat(store().readVersion(id, written.version("v2").orElseThrow())).isEqualTo(third);
    assertThat(store().readVersion(id, "v2")).isEqualTo(third);
  }

  @Test
  void replaceEnvelopesFromAStaleRecordChangesNothing() {
    SecretId id = newId("rekeyed-stale");
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "r", "uid", T0));
    byte[] first = bytes(40);
    StoredSecret stale = store().addVersion(added(s, "v1", T0), "v1", first);
    StoredSecret current = store().update(stale.withOwner("r", "uid-2"));

    assertThatThrownBy(
            () -> store().replaceEnvelopes(rekeyed(stale, NEW_KEY, "v1"), Map.of("v1", bytes(40))))
        .isInstanceOf(StoreConflictException.class);

    assertThat(store().find(id)).contains(current);
    assertThat(store().readVersion(id, "v1")).isEqualTo(first);
    // A later attempt from the current record succeeds.
    byte[] second = bytes(40);
    StoredSecret written =
        store().replaceEnvelopes(rekeyed(current, NEW_KEY, "v1"), Map.of("v1", second));
    assertThat(store().readVersion(id, written.version("v1").orElseThrow())).isEqualTo(second);
  }

  @Test
  void aReEncryptedVersionThatRetentionDropsLosesEveryEnvelope() {
    SecretId id = newId("rekeyed-dropped");
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "r", "uid", T0));
    s = store().addVersion(added(s, "v1", T0), "v1", bytes(40));
    s = store().replaceEnvelopes(rekeyed(s, NEW_KEY, "v1"), Map.of("v1", bytes(40)));
    s = store().addVersion(added(s, "v2", T0.plusSeconds(1)), "v2", bytes(40));
    s = store().addVersion(added(s, "v3", T0.plusSeconds(2)), "v3", bytes(40));
    StoredSecret dropped =
        store()
            .update(
                s.withVersions(
                    s.versions().stream().filter(v -> !v.versionId().equals("v1")).toList(),
                    s.lastChangedDate()));

    store().deleteVersions(id, List.of("v1"));

    assertMissing(id, "v1");
    assertThat(store().find(id)).contains(dropped);
  }

  @Test
  void aPurgeOfARecordChangedSinceItWasReadRemovesNothing() {
    SecretId id = newId("restored");
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "r", "uid", T0));
    s = store().addVersion(added(s, "v1", T0), "v1", bytes(10));
    StoredSecret scheduled =
        store().update(s.scheduledForDeletion(T0, T0.plus(Duration.ofDays(7))));
    // Restored after the purge job read it, before it purged it.
    StoredSecret restored = store().update(scheduled.restored());

    assertThatThrownBy(() -> store().purge(scheduled)).isInstanceOf(StoreConflictException.class);

    assertSameRecord(store().find(id).orElseThrow(), restored);
    assertThat(store().readVersion(id, "v1")).hasSize(10);
  }

  @Test
  void purgeRemovesTheRecordAndEveryVersion() {
    SecretId id = newId("purged");
    SecretId neighbour = new SecretId(id.namespace(), "neighbour");
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "p", "uid", T0));
    s = store().addVersion(added(s, "v1", T0), "v1", bytes(10));
    store().addVersion(added(s, "v2", T0.plusSeconds(1)), "v2", bytes(10));
    store().writeVersion(id, "never-listed", bytes(10));
    StoredSecret other =
        store().create(StoredSecret.create(neighbour, arn(neighbour), "n", "uid-n", T0));
    byte[] otherEnvelope = bytes(10);
    other = store().addVersion(added(other, "v1", T0), "v1", otherEnvelope);

    store().purge(store().find(id).orElseThrow());

    assertThat(store().find(id)).isEmpty();
    assertThat(listed(id)).isEmpty();
    assertMissing(id, "v1");
    assertMissing(id, "v2");
    assertMissing(id, "never-listed");
    assertThat(store().find(neighbour)).contains(other);
    assertThat(store().readVersion(neighbour, "v1")).isEqualTo(otherEnvelope);
    // The name can be taken again, with a new ARN.
    assertThat(store().create(StoredSecret.create(id, arn(id) + "2", "p", "uid-3", T0)).versions())
        .isEmpty();
  }

  // ---- what a namespace keeps ----

  @Test
  void usageCountsTheVersionsAndEnvelopeBytesEachNamespacesRecordsList() {
    String namespace = newNamespace();
    SecretId one = new SecretId(namespace, "one");
    SecretId two = new SecretId(namespace, "two");
    SecretId elsewhere = newId("one");
    StoredSecret a = store().create(StoredSecret.create(one, arn(one), "one", "uid-1", T0));
    a = store().addVersion(added(a, "v1", T0), "v1", bytes(40));
    a = store().addVersion(added(a, "v2", T0.plusSeconds(1)), "v2", bytes(60));
    StoredSecret b = store().create(StoredSecret.create(two, arn(two), "two", "uid-2", T0));
    b = store().addVersion(added(b, "v1", T0), "v1", bytes(10));
    StoredSecret c = store().create(StoredSecret.create(elsewhere, arn(elsewhere), "o", "u", T0));
    store().addVersion(added(c, "v1", T0), "v1", bytes(1000));
    store().writeVersion(one, "never-listed", bytes(500));

    assertThat(store().usage(namespace)).isEqualTo(new SecretStore.Usage(3, 110));
    assertThat(store().usage(elsewhere.namespace())).isEqualTo(new SecretStore.Usage(1, 1000));
    assertThat(store().usage(newNamespace())).isEqualTo(new SecretStore.Usage(0, 0));
    assertThat(a.version("v2").orElseThrow().envelopeSize()).isEqualTo(60);

    // A secret in its recovery window still counts; what retention drops and purge removes do not.
    b = store().update(b.scheduledForDeletion(T0.plusSeconds(5), T0.plus(Duration.ofDays(7))));
    assertThat(store().usage(namespace)).isEqualTo(new SecretStore.Usage(3, 110));
    store()
        .update(
            a.withVersions(
                a.versions().stream().filter(v -> !v.versionId().equals("v1")).toList(),
                a.lastChangedDate()));
    assertThat(store().usage(namespace)).isEqualTo(new SecretStore.Usage(2, 70));
    store().purge(store().find(two).orElseThrow());
    assertThat(store().usage(namespace)).isEqualTo(new SecretStore.Usage(1, 60));
  }

  @Test
  void reEncryptionRecordsTheSizesOfTheNewEnvelopes() {
    SecretId id = newId("rekeyed-size");
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "r", "uid", T0));
    s = store().addVersion(added(s, "v1", T0), "v1", bytes(40));

    StoredSecret written =
        store().replaceEnvelopes(rekeyed(s, NEW_KEY, "v1"), Map.of("v1", bytes(55)));

    assertThat(written.version("v1").orElseThrow().envelopeSize()).isEqualTo(55);
    assertThat(store().find(id)).contains(written);
    assertThat(store().usage(id.namespace())).isEqualTo(new SecretStore.Usage(1, 55));
  }

  @Test
  void retentionDropsOldUnlabelledVersionsWhoseCiphertextCanThenBeDeleted() {
    SecretId id = newId("retention");
    Instant now = T0.plus(Duration.ofDays(10));
    Instant old = now.minus(Duration.ofDays(3));
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "r", "uid", old));
    List<StoredVersion> history = new ArrayList<>();
    for (int i = 0; i < 105; i++) {
      String versionId = String.format("old-%03d", i);
      store().writeVersion(id, versionId, bytes(32));
      List<String> stages =
          i == 103
              ? List.of(StagingLabels.AWSPREVIOUS)
              : i == 104
                  ? List.of(StagingLabels.AWSCURRENT)
                  : i == 0 ? List.of("keep-me") : List.of();
      history.add(version(versionId, old.plusSeconds(i), stages, Map.of()));
    }
    s = store().update(s.withVersions(history, old.plusSeconds(104)));

    Versions.Added added = Versions.addCurrent(s, version("new", now, List.of(), Map.of()), now);
    List<String> removed = added.removed().stream().map(StoredVersion::versionId).toList();
    // 106 versions: the newest 100 stay, and so does the labelled old-000.
    assertThat(removed).containsExactly("old-001", "old-002", "old-003", "old-004", "old-005");

    StoredSecret written = store().addVersion(added.secret(), "new", bytes(32));
    store().deleteVersions(id, removed);

    assertThat(written.versions()).hasSize(101);
    for (String gone : removed) {
      assertMissing(id, gone);
    }
    for (StoredVersion v : store().find(id).orElseThrow().versions()) {
      assertThat(store().readVersion(id, v.versionId())).as(v.versionId()).hasSize(32);
    }
    assertThat(store().find(id).orElseThrow().versionIdsToStages())
        .containsEntry("new", List.of(StagingLabels.AWSCURRENT))
        .containsEntry("old-104", List.of(StagingLabels.AWSPREVIOUS))
        .containsEntry("old-000", List.of("keep-me"))
        .hasSize(3);
  }

  // ---- atomicity and races ----

  @Test
  void aVersionAddedFromAStaleRevisionMovesNoLabel() {
    SecretId id = newId("stale-version");
    StoredSecret base = store().create(StoredSecret.create(id, arn(id), "s", "uid", T0));
    base = store().addVersion(added(base, "first", T0), "first", bytes(10));
    StoredSecret stale = base;
    StoredSecret moved = store().update(base.withOwner("s", "uid-2"));

    assertThatThrownBy(
            () ->
                store().addVersion(added(stale, "second", T0.plusSeconds(1)), "second", bytes(10)))
        .isInstanceOf(StoreConflictException.class);

    StoredSecret found = store().find(id).orElseThrow();
    assertThat(found).isEqualTo(moved);
    assertThat(found.current().orElseThrow().versionId()).isEqualTo("first");
    assertThat(found.version("second")).isEmpty();
  }

  @Test
  void twoWritersOfOneClientTokenKeepTheWinnersCiphertext() throws Exception {
    for (int round = 0; round < 10; round++) {
      SecretId id = newId("token-race-" + round);
      StoredSecret base = store.create(StoredSecret.create(id, arn(id), "t", "uid", T0));
      CountDownLatch go = new CountDownLatch(1);
      List<byte[]> envelopes = List.of(bytes(512), bytes(512));
      List<Future<StoredSecret>> writers = new ArrayList<>();
      for (byte[] envelope : envelopes) {
        Callable<StoredSecret> write =
            () -> {
              go.await();
              return store.addVersion(added(base, "client-token", T0), "client-token", envelope);
            };
        writers.add(threads.submit(write));
      }
      go.countDown();

      int winner = -1;
      int conflicts = 0;
      for (int i = 0; i < writers.size(); i++) {
        try {
          writers.get(i).get(60, TimeUnit.SECONDS);
          winner = i;
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(StoreConflictException.class);
          conflicts++;
        }
      }
      assertThat(conflicts).as("round %d", round).isEqualTo(1);
      assertThat(store.readVersion(id, "client-token"))
          .as("round %d: the stored ciphertext is the winner's", round)
          .isEqualTo(envelopes.get(winner));
    }
  }

  @Test
  void twoWritersFromOneRevisionNeverBothWin() throws Exception {
    for (int round = 0; round < 10; round++) {
      SecretId id = newId("race-" + round);
      StoredSecret base = store().create(StoredSecret.create(id, arn(id), "race", "uid", T0));
      base = store().addVersion(added(base, "v0", T0), "v0", bytes(10));
      StoredSecret from = base;

      CountDownLatch go = new CountDownLatch(1);
      List<Future<StoredSecret>> writers = new ArrayList<>();
      for (String writer : List.of("a", "b")) {
        String versionId = "v1-" + writer;
        byte[] envelope = bytes(2048);
        Callable<StoredSecret> write =
            () -> {
              go.await();
              return store()
                  .addVersion(added(from, versionId, T0.plusSeconds(1)), versionId, envelope);
            };
        writers.add(threads.submit(write));
      }
      go.countDown();

      List<StoredSecret> won = new ArrayList<>();
      List<Throwable> lost = new ArrayList<>();
      for (Future<StoredSecret> w : writers) {
        try {
          won.add(w.get(60, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
          lost.add(e.getCause());
        }
      }
      assertThat(won).as("round %d: winners", round).hasSize(1);
      assertThat(lost)
          .as("round %d: losers", round)
          .singleElement()
          .isInstanceOf(StoreConflictException.class);

      StoredSecret found = store().find(id).orElseThrow();
      assertThat(found).isEqualTo(won.get(0));
      assertThat(found.versions()).hasSize(2);
      assertThat(found.versionIdsToStages())
          .containsEntry("v0", List.of(StagingLabels.AWSPREVIOUS))
          .hasSize(2);
      for (StoredVersion v : found.versions()) {
        assertThat(store().readVersion(id, v.versionId())).as(v.versionId()).isNotEmpty();
      }
    }
  }

  // ---- namespace incarnations ----

  @Test
  void recordsOfTwoIncarnationsOfOneNameLiveSideBySideAndPurgeApart() {
    SecretId name = newId("team/db");
    SecretId oldId = name.in("uid-old");
    SecretId newId = name.in("uid-new");
    // The same client request token in both: their versions never meet.
    StoredSecret old = store().create(StoredSecret.create(oldId, arn(name), "db", "ms-1", T0));
    byte[] oldEnvelope = bytes(20);
    old = store().addVersion(added(old, "token-1", T0), "token-1", oldEnvelope);
    old = store().update(old.scheduledForDeletion(T0, T0.plus(Duration.ofDays(7))));
    StoredSecret fresh =
        store().create(StoredSecret.create(newId, arn(name) + "2", "db", "ms-2", T0));
    byte[] newEnvelope = bytes(20);
    fresh = store().addVersion(added(fresh, "token-1", T0), "token-1", newEnvelope);

    // (A record's revision may move when another record of the name is written: the Kubernetes
    // store keeps them in one object.)
    assertThat(withoutRevisions(store().findByName(name)))
        .containsExactlyInAnyOrder(old.withRevision(null), fresh.withRevision(null));
    assertSameRecord(store().find(oldId).orElseThrow(), old);
    assertThat(store().readVersion(oldId, "token-1")).isEqualTo(oldEnvelope);
    assertThat(store().readVersion(newId, "token-1")).isEqualTo(newEnvelope);
    assertThat(store().list()).filteredOn(r -> r.id().sameName(name)).hasSize(2);

    store().purge(store().find(oldId).orElseThrow());

    assertThat(withoutRevisions(store().findByName(name)))
        .containsExactly(fresh.withRevision(null));
    assertMissing(oldId, "token-1");
    assertThat(store().readVersion(newId, "token-1")).isEqualTo(newEnvelope);
    StoredSecret updated =
        store().update(store().find(newId).orElseThrow().withOwner("db", "ms-3"));
    assertThat(store().findByName(name)).containsExactly(updated);
  }

  @Test
  void aNewRecordIsRefusedBesideOneItsIncarnationCouldClaim() {
    SecretId name = newId("claimable");
    StoredSecret legacy = store().create(StoredSecret.create(name, arn(name), "db", "ms-1", T0));
    StoredSecret held =
        store()
            .create(StoredSecret.create(newId("held").in("uid-a"), "arn:held", "db", "ms-1", T0));

    // Beside a record no incarnation holds yet: refused, the claim must take it.
    assertThatThrownBy(
            () -> store().create(StoredSecret.create(name.in("uid-a"), "arn:x", "db", "ms", T0)))
        .isInstanceOf(StoreConflictException.class);
    // Beside one its incarnation holds (under another id): refused.
    StoredSecret taken = store().update(legacy.withNamespaceUid("uid-a"));
    assertThatThrownBy(
            () -> store().create(StoredSecret.create(name.in("uid-a"), "arn:x", "db", "ms", T0)))
        .isInstanceOf(StoreConflictException.class);
    // Beside one another incarnation holds: made.
    StoredSecret other =
        store().create(StoredSecret.create(name.in("uid-b"), "arn:y", "db", "ms", T0));
    assertThat(withoutRevisions(store().findByName(name)))
        .containsExactlyInAnyOrder(taken.withRevision(null), other.withRevision(null));
    assertThat(store().find(held.id())).contains(held);
  }

  @Test
  void aRecordReBoundToAnotherIncarnationKeepsItsIdArnAndVersions() {
    SecretId id = newId("rebound").in("uid-old");
    StoredSecret s = store().create(StoredSecret.create(id, arn(id), "db", "ms-1", T0));
    byte[] envelope = bytes(30);
    s = store().addVersion(added(s, "v1", T0), "v1", envelope);

    StoredSecret rebound = store().update(s.withNamespaceUid("uid-new"));

    assertThat(rebound.id()).isEqualTo(id);
    assertThat(rebound.namespaceUid()).isEqualTo("uid-new");
    assertSameRecord(store().find(id).orElseThrow(), s.withNamespaceUid("uid-new"));
    assertThat(store().readVersion(id, "v1")).isEqualTo(envelope);
  }

  // ---- authenticated records ----

  /** The MAC of the tests' records. */
  protected static final RecordMac MAC = new RecordMac(new KeyedHash(new byte[32]));

  /** This store with its records authenticated, as the operator uses it. */
  protected SecretStore authenticated() {
    return new AuthenticatedSecretStore(store(), MAC);
  }

  @Test
  void aRecordsSequenceAndMacRoundTrip() {
    SecretId id = newId("sealed");
    StoredSecret sealed = StoredSecret.create(id, arn(id), "s", "uid", T0).withSeal(7, "mac-7");

    StoredSecret created = store().create(sealed);

    assertSameRecord(created, sealed);
    assertSameRecord(store().find(id).orElseThrow(), sealed);
    assertSameRecord(store().update(created.withSeal(8, "mac-8")), created.withSeal(8, "mac-8"));
  }

  /**
   * What this store keeps of a record is what its MAC covers, exactly: times in nanoseconds,
   * generated keys in any order, labels, versions added and re-encrypted, all read back authentic,
   * one sequence number on at every write.
   */
  @Test
  void anAuthenticatedRecordReadsBackAuthenticAfterEveryKindOfWrite() {
    SecretStore s = authenticated();
    SecretId id = newId("authentic");
    Instant nanos = Instant.parse("2026-03-04T05:06:07.123456789Z");
    StoredSecret r = s.create(StoredSecret.create(id, arn(id), "a", "uid", nanos));
    StoredVersion generated =
        version(
            "v1",
            nanos,
            List.of("blue"),
            Map.of("zeta", "h1", "alpha", "h2", "password", "h3", "Mixed", "h4"));
    r = s.addVersion(Versions.addCurrent(r, generated, nanos).secret(), "v1", bytes(30));
    r = s.addVersion(added(r, "v2", nanos.plusSeconds(1)), "v2", bytes(30));
    r = s.replaceEnvelopes(rekeyed(r, NEW_KEY, "v2"), Map.of("v2", bytes(31)));
    r = s.update(Versions.moveLabel(r, StagingLabels.AWSCURRENT, "v1", null, true));
    r = s.update(r.withNamespaceUid("uid-x").scheduledForDeletion(nanos, nanos.plusSeconds(9)));

    assertThat(r.sequence()).isEqualTo(6);
    for (StoredSecret read :
        List.of(
            s.find(id).orElseThrow(),
            s.findByName(id).get(0),
            s.list().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow())) {
      assertThat(MAC.verifies(read)).isTrue();
      assertThat(read.sequence()).isEqualTo(6);
      assertThat(read.current().orElseThrow().versionId()).isEqualTo("v1");
    }
  }

  @Test
  void aRecordAlteredInTheStoreIsRefusedByFindAndLeftOutOfTheList() {
    SecretStore s = authenticated();
    SecretId id = newId("altered");
    SecretId kept = newId("kept");
    StoredSecret r = s.create(StoredSecret.create(id, arn(id), "a", "uid", T0));
    r = s.addVersion(added(r, "v1", T0), "v1", bytes(10));
    r = s.addVersion(added(r, "v2", T0.plusSeconds(1)), "v2", bytes(10));
    s.create(StoredSecret.create(kept, arn(kept), "k", "uid", T0));
    // A writer of the store, without the key, moves AWSCURRENT back to v1.
    store().update(Versions.moveLabel(r, StagingLabels.AWSCURRENT, "v1", null, true));

    for (Runnable read : List.<Runnable>of(() -> s.find(id), () -> s.findByName(id))) {
      assertThat(decryptionFailure(read))
          .startsWith(
              "The stored record of secret altered can't be read: its integrity check failed");
    }
    assertThat(s.list()).extracting(StoredSecret::id).doesNotContain(id).contains(kept);
  }

  // ---- the spec generation that wrote a record ----

  /**
   * The ManagedSecret and spec generation that wrote a record round-trip through every kind of
   * write that records one (generations past what a double holds exactly, too), and stay as they
   * are through writes that record none (a claim, a scheduled deletion).
   */
  @Test
  void theSpecGenerationThatWroteARecordRoundTripsAndStaysUntilAnotherIsRecorded() {
    SecretId id = newId("spec");
    SpecGeneration three = new SpecGeneration("uid-1", 3);
    SpecGeneration large = new SpecGeneration("uid-1", 9_007_199_254_740_993L);
    StoredSecret fresh = StoredSecret.create(id, arn(id), "s", "uid-1", T0).writtenBy(three);

    StoredSecret created = store().create(fresh);
    assertSameRecord(created, fresh);
    assertSameRecord(store().find(id).orElseThrow(), fresh);

    StoredSecret added =
        store().addVersion(added(created, "v1", T0).writtenBy(large), "v1", bytes(10));
    assertThat(added.specGeneration()).isEqualTo(large);
    StoredSecret rekeyed =
        store()
            .replaceEnvelopes(
                rekeyed(added, NEW_KEY, "v1").writtenBy(new SpecGeneration("uid-2", 1)),
                Map.of("v1", bytes(11)));
    assertThat(rekeyed.specGeneration()).isEqualTo(new SpecGeneration("uid-2", 1));
    StoredSecret scheduled =
        store().update(rekeyed.scheduledForDeletion(T0, T0.plus(Duration.ofDays(7))));

    for (StoredSecret read :
        List.of(
            scheduled,
            store().find(id).orElseThrow(),
            store().findByName(id).get(0),
            listed(id).get(0))) {
      assertThat(read.specGeneration()).isEqualTo(new SpecGeneration("uid-2", 1));
    }
  }

  @Test
  void aRecordWithoutASpecGenerationReadsBackWithout() {
    SecretId id = newId("no-spec");
    StoredSecret created = store().create(StoredSecret.create(id, arn(id), "n", "uid", T0));
    StoredSecret added = store().addVersion(added(created, "v1", T0), "v1", bytes(10));

    assertThat(added.specGeneration()).isNull();
    assertThat(store().find(id).orElseThrow().specGeneration()).isNull();
  }

  /**
   * The spec generation is under the record's MAC: a writer of the store who lowers it (so that an
   * operator acting on an older view writes again) or drops it is refused at the next read.
   */
  @Test
  void aSpecGenerationLoweredOrDroppedInTheStoreIsRefused() {
    SecretStore s = authenticated();
    SecretId lowered = newId("lowered");
    SecretId dropped = newId("dropped");
    for (SecretId id : List.of(lowered, dropped)) {
      StoredSecret r = s.create(StoredSecret.create(id, arn(id), "a", "uid-1", T0));
      r =
          s.addVersion(
              added(r, "v1", T0).writtenBy(new SpecGeneration("uid-1", 6)), "v1", bytes(10));
      assertThat(MAC.verifies(s.find(id).orElseThrow())).isTrue();
      StoredSecret altered =
          id == lowered
              ? r.writtenBy(new SpecGeneration("uid-1", 5))
              : new StoredSecret(
                  r.id(),
                  r.arn(),
                  r.ownerName(),
                  r.ownerUid(),
                  r.namespaceUid(),
                  r.createdDate(),
                  r.lastChangedDate(),
                  r.deletedDate(),
                  r.purgeAfter(),
                  r.versions(),
                  null,
                  r.revision(),
                  r.sequence(),
                  r.mac());
      store().update(altered);

      assertThat(decryptionFailure(() -> s.find(id)))
          .as(id.name())
          .startsWith(
              "The stored record of secret " + id.name() + " can't be read: its integrity check");
    }
  }

  // ---- helpers ----

  /** The message of the DecryptionFailure that {@code call} fails with. */
  protected static String decryptionFailure(Runnable call) {
    SecretsManagerException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            SecretsManagerException.class, call::run);
    assertThat(e).as("DecryptionFailure").isNotNull();
    assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
    return e.getMessage();
  }

  protected static String newNamespace() {
    return "ns-" + NAMESPACES.incrementAndGet() + "-" + Long.toHexString(RANDOM.nextLong());
  }

  protected static SecretId newId(String name) {
    return new SecretId(newNamespace(), name);
  }

  protected static String arn(SecretId id) {
    return "arn:k8s:secretsmanager:local:123456789012:secret:" + id.name() + "-AbCdEf";
  }

  protected static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  protected static StoredVersion version(
      String versionId, Instant at, List<String> stages, Map<String, String> generated) {
    return new StoredVersion(
        versionId,
        at,
        stages,
        "arn:k8s:kms:local:123456789012:key/0000",
        "value-hash-" + versionId,
        "input-hash-" + versionId,
        generated);
  }

  /** The record with a new AWSCURRENT version, as SecretsManagerService makes it. */
  protected static StoredSecret added(StoredSecret secret, String versionId, Instant at) {
    return Versions.addCurrent(secret, version(versionId, at, List.of(), Map.of()), at).secret();
  }

  protected void assertMissing(SecretId id, String versionId) {
    assertThatThrownBy(() -> store().readVersion(id, versionId))
        .as("version %s of %s", versionId, id)
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION));
  }

  private List<StoredSecret> listed(SecretId id) {
    return store().list().stream().filter(s -> s.id().equals(id)).toList();
  }

  private static List<StoredSecret> withoutRevisions(List<StoredSecret> records) {
    return records.stream().map(r -> r.withRevision(null)).toList();
  }

  /** Every field but the revision, which only the store assigns. */
  private static void assertSameRecord(StoredSecret actual, StoredSecret expected) {
    assertThat(actual.withRevision(null)).isEqualTo(expected.withRevision(null));
  }
}
