package dev.managedsecrets.core.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncarnationsTest {

  static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  static final SecretId NAME = new SecretId("team-a", "team-a/db");

  static StoredSecret record(String incarnation, String ownerUid) {
    SecretId id = incarnation == null ? NAME : NAME.in(incarnation);
    return StoredSecret.create(id, "arn:" + incarnation, "db", ownerUid, T0);
  }

  @Test
  void aRecordOfAnotherIncarnationOfTheNamespaceIsNeverClaimableWhateverItsState() {
    StoredSecret old = record("uid-old", "ms-old");
    StoredSecret scheduled = old.scheduledForDeletion(T0, T0.plusSeconds(60));

    assertThat(Incarnations.claimable(List.of(old), "uid-new")).isEmpty();
    assertThat(Incarnations.claimable(List.of(scheduled), "uid-new")).isEmpty();
    assertThat(Incarnations.heldByAnother(old, "uid-new")).isTrue();
  }

  @Test
  void aRecordMadeBeforeIncarnationsIsClaimableByTheFirstIncarnationThatClaimsIt() {
    StoredSecret legacy = record(null, "ms-1");

    assertThat(legacy.namespaceUid()).isNull();
    assertThat(Incarnations.claimable(List.of(legacy), "uid-a")).contains(legacy);
    assertThat(Incarnations.heldByAnother(legacy, "uid-a")).isFalse();
    // Once taken, it is that incarnation's alone.
    StoredSecret taken = legacy.withNamespaceUid("uid-a");
    assertThat(taken.id()).isEqualTo(legacy.id());
    assertThat(Incarnations.claimable(List.of(taken), "uid-b")).isEmpty();
  }

  @Test
  void theIncarnationsOwnRecordComesBeforeOneMadeBeforeIncarnations() {
    StoredSecret legacy = record(null, "ms-1");
    StoredSecret own = record("uid-a", "ms-2");

    assertThat(Incarnations.claimable(List.of(legacy, own), "uid-a")).contains(own);
  }

  @Test
  void aManagedSecretFindsItsOwnRecordByItsUidAloneAmongEveryIncarnations() {
    StoredSecret old = record("uid-old", "ms-old");
    StoredSecret mine = record("uid-new", "ms-new");

    assertThat(Incarnations.ownedBy(List.of(old, mine), "ms-new")).contains(mine);
    assertThat(Incarnations.ownedBy(List.of(old), "ms-new")).isEmpty();
  }

  @Test
  void aNewRecordIsHeldByTheIncarnationThatMadeItAndStoredUnderIt() {
    StoredSecret made = record("uid-a", "ms-1");

    assertThat(made.namespaceUid()).isEqualTo("uid-a");
    assertThat(made.id().incarnation()).isEqualTo("uid-a");
    assertThat(made.id().sameName(NAME)).isTrue();
    assertThat(made.id()).isNotEqualTo(NAME.in("uid-b"));
  }
}
