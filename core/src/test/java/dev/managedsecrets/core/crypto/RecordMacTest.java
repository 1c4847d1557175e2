package dev.managedsecrets.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretTag;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RecordMacTest {

  static final Instant T0 = Instant.parse("2026-12-01T10:00:00.123456Z");
  static final RecordMac MAC = new RecordMac(new KeyedHash(new byte[32]));

  static StoredVersion version(String id, List<String> stages, Map<String, String> generated) {
    return new StoredVersion(
        id, T0, stages, "arn:k8s:kms:local:1:key/k", "value-" + id, "input-" + id, generated);
  }

  static StoredSecret record() {
    return new StoredSecret(
        new SecretId("team-a", "team-a/db", "uid-a"),
        "arn:k8s:secretsmanager:local:1:secret:team-a/db-AbCdEf",
        "db",
        "ms-uid",
        "uid-a",
        T0,
        T0.plusSeconds(60),
        null,
        null,
        List.of(
            version("v1", List.of("AWSPREVIOUS"), Map.of()),
            version("v2", List.of("AWSCURRENT", "blue"), Map.of("password", "p", "user", "u"))),
        "7");
  }

  /** The sealed record changed by {@code change}, keeping the MAC and sequence it had. */
  static StoredSecret altered(UnaryOperator<StoredSecret> change) {
    StoredSecret sealed = MAC.seal(record(), 3);
    return change.apply(sealed);
  }

  static StoredSecret withVersion(StoredSecret s, int i, UnaryOperator<StoredVersion> change) {
    List<StoredVersion> versions = new ArrayList<>(s.versions());
    versions.set(i, change.apply(versions.get(i)));
    return s.withVersions(versions, s.lastChangedDate());
  }

  static StoredVersion generated(StoredVersion v, Map<String, String> generated) {
    return new StoredVersion(
        v.versionId(),
        v.createdDate(),
        v.stages(),
        v.kmsKeyArn(),
        v.valueHash(),
        v.inputHash(),
        generated,
        v.envelopeRevision(),
        v.envelopeSize());
  }

  @Test
  void aSealedRecordVerifiesAtTheSequenceItCarries() {
    StoredSecret sealed = MAC.seal(record(), 3);

    assertThat(sealed.sequence()).isEqualTo(3);
    assertThat(sealed.authenticated()).isTrue();
    assertThat(MAC.verifies(sealed)).isTrue();
    assertThat(MAC.verifies(sealed.withSeal(4, sealed.mac()))).as("another sequence").isFalse();
  }

  @Test
  void aRecordWithoutAMacOrUnderAnotherKeyDoesNotVerify() {
    byte[] other = new byte[32];
    other[0] = 1;

    assertThat(MAC.verifies(record())).isFalse();
    assertThat(MAC.verifies(new RecordMac(new KeyedHash(other)).seal(record(), 3))).isFalse();
    assertThat(MAC.verifies(new RecordMac(new KeyedHash(new byte[32])).seal(record(), 3))).isTrue();
  }

  /** Every field of the record's identity, dates and versions is covered. */
  @Test
  void changingTheIdentityTheStageMapOrAnyVersionFailsTheMac() {
    Map<String, UnaryOperator<StoredSecret>> changes = new LinkedHashMap<>();
    changes.put(
        "namespace",
        s -> copyWithId(s, new SecretId("team-b", s.id().name(), s.id().incarnation())));
    changes.put(
        "name", s -> copyWithId(s, new SecretId("team-a", "team-a/other", s.id().incarnation())));
    changes.put("incarnation", s -> copyWithId(s, s.id().in("uid-b")));
    changes.put("holding incarnation", s -> s.withNamespaceUid(null));
    changes.put("owner", s -> s.withOwner("db", "another-uid"));
    changes.put("deletion", s -> s.scheduledForDeletion(T0, T0.plus(Duration.ofDays(7))));
    changes.put("last change", s -> s.withVersions(s.versions(), T0));
    changes.put(
        "AWSCURRENT moved back",
        s ->
            withVersion(
                withVersion(s, 0, v -> v.withStages(List.of("AWSCURRENT"))),
                1,
                v -> v.withStages(List.of("blue"))));
    changes.put("a custom label", s -> withVersion(s, 1, v -> v.withStages(List.of("AWSCURRENT"))));
    changes.put("a version's key", s -> withVersion(s, 0, v -> v.withKmsKeyArn("arn:other")));
    changes.put(
        "a generated key's hash",
        s -> withVersion(s, 1, v -> generated(v, Map.of("password", "x"))));
    changes.put("a version dropped", s -> s.withVersions(s.versions().subList(1, 2), T0));
    changes.put(
        "versions reordered",
        s -> s.withVersions(List.of(s.versions().get(1), s.versions().get(0)), T0));
    changes.put("a spec generation added", s -> s.writtenBy(new SpecGeneration("ms-uid", 6)));

    changes.forEach((what, change) -> assertThat(MAC.verifies(altered(change))).as(what).isFalse());
  }

  /**
   * The ManagedSecret and spec generation that wrote the record are covered: a writer of the store
   * can neither lower the generation (so that an older view writes again) nor drop it.
   */
  @Test
  void changingOrDroppingTheSpecGenerationThatWroteTheRecordFailsTheMac() {
    StoredSecret sealed = MAC.seal(record().writtenBy(new SpecGeneration("ms-uid", 6)), 3);
    assertThat(MAC.verifies(sealed)).isTrue();

    Map<String, StoredSecret> changed = new LinkedHashMap<>();
    changed.put("a lower generation", sealed.writtenBy(new SpecGeneration("ms-uid", 5)));
    changed.put("a higher generation", sealed.writtenBy(new SpecGeneration("ms-uid", 7)));
    changed.put("another ManagedSecret", sealed.writtenBy(new SpecGeneration("other-uid", 6)));
    changed.put("dropped", copyWithId(sealed, sealed.id()));

    changed.forEach((what, record) -> assertThat(MAC.verifies(record)).as(what).isFalse());
  }

  /**
   * What a record keeps of a deleted ManagedSecret (description, KMS key, tags) is covered: a
   * writer of the store can neither change it (so that RestoreSecret gives a secret another key or
   * tags) nor drop it.
   */
  @Test
  void changingOrDroppingTheKeptDescriptionKeyOrTagsFailsTheMac() {
    KeptMetadata kept =
        new KeptMetadata("orders", "alias/orders", List.of(new SecretTag("team", "orders")));
    StoredSecret scheduled =
        record()
            .writtenBy(new SpecGeneration("ms-uid", 6))
            .scheduledForDeletion(T0, T0.plus(Duration.ofDays(7)), kept);
    for (StoredSecret base :
        List.of(scheduled, copyWithId(scheduled, scheduled.id()).keeping(kept))) {
      StoredSecret sealed = MAC.seal(base, 3);
      assertThat(MAC.verifies(sealed)).isTrue();

      Map<String, StoredSecret> changed = new LinkedHashMap<>();
      changed.put(
          "description", sealed.keeping(new KeptMetadata("other", kept.kmsKeyId(), kept.tags())));
      changed.put(
          "key", sealed.keeping(new KeptMetadata(kept.description(), "alias/other", kept.tags())));
      changed.put(
          "a tag's value",
          sealed.keeping(
              new KeptMetadata(
                  kept.description(), kept.kmsKeyId(), List.of(new SecretTag("team", "billing")))));
      changed.put(
          "a tag added",
          sealed.keeping(
              new KeptMetadata(
                  kept.description(),
                  kept.kmsKeyId(),
                  List.of(new SecretTag("team", "orders"), new SecretTag("x", "")))));
      changed.put("dropped", sealed.keeping(null));

      changed.forEach((what, record) -> assertThat(MAC.verifies(record)).as(what).isFalse());
    }
  }

  /**
   * A record with a spec generation and nothing kept has the MAC it had before records kept
   * metadata: records already in a store keep verifying. The value is pinned from the release
   * before.
   */
  @Test
  void aRecordThatKeepsNothingHasTheMacItHadBeforeRecordsKeptMetadata() {
    assertThat(MAC.seal(record().writtenBy(new SpecGeneration("ms-uid", 6)), 3).mac())
        .isEqualTo("bHP0TAPf6apsjqO8x9IImPLBt7-rdHtBLUoq0JM4bcw");
  }

  /**
   * A record without a spec generation (every record written before records carried one) has the
   * MAC it had then: records already in a store keep verifying. The value is pinned from the
   * release before.
   */
  @Test
  void aRecordWithoutASpecGenerationKeepsTheMacItHadBeforeRecordsCarriedOne() {
    assertThat(MAC.seal(record(), 3).mac())
        .isEqualTo("h9poNpBm4AcWiySIZH4nDGTke89ycITENJtSTg8wwRI");
  }

  /**
   * The store's own bookkeeping is not the record's content: the revision, each envelope's size and
   * revision, and times past the microsecond (what every store keeps).
   */
  @Test
  void whatTheStoreKeepsForItselfIsNotCovered() {
    StoredSecret sealed = MAC.seal(record(), 3);
    StoredSecret sized =
        withVersion(sealed, 1, v -> v.withEnvelopeSize(65709).withEnvelopeRevision(2));
    StoredSecret booked =
        sized
            .withVersions(sized.versions(), sealed.lastChangedDate().plusNanos(999))
            .withRevision("8");

    assertThat(MAC.verifies(booked)).isTrue();
  }

  /** The record under {@code id}, without the spec generation that wrote it. */
  private static StoredSecret copyWithId(StoredSecret s, SecretId id) {
    return new StoredSecret(
        id,
        s.arn(),
        s.ownerName(),
        s.ownerUid(),
        s.namespaceUid(),
        s.createdDate(),
        s.lastChangedDate(),
        s.deletedDate(),
        s.purgeAfter(),
        s.versions(),
        null,
        s.revision(),
        s.sequence(),
        s.mac());
  }
}
