package dev.managedsecrets.operator.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.operator.MovingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IssuingKeyRingTest {

  static final Duration DAY = Duration.ofHours(24);
  static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

  /** The Secret, in memory: a write names the version it read, as a resourceVersion. */
  static final class Kept implements IssuingKeyRing.Source {
    IssuingKeyRing.Stored stored;
    int version;
    final List<String> calls = new ArrayList<>();

    @Override
    public IssuingKeyRing.Stored read() {
      calls.add("read");
      return stored;
    }

    @Override
    public IssuingKeyRing.Stored write(IssuingKeys keys, String at) {
      calls.add("write");
      String current = stored == null ? null : stored.version();
      if (at == null ? current != null : !at.equals(current)) {
        return null;
      }
      stored = new IssuingKeyRing.Stored(IssuingKeys.parse(keys.text().getBytes()), "" + ++version);
      return stored;
    }

    long writes() {
      return calls.stream().filter("write"::equals).count();
    }
  }

  final MovingClock clock = new MovingClock(T0);
  final Kept kept = new Kept();

  IssuingKeyRing replica() {
    return new IssuingKeyRing(kept, DAY, clock);
  }

  @Test
  void theFirstUseMakesOneKeyThatIssuesAtOnce() {
    IssuingKeys.Key key = replica().issuing();

    assertThat(kept.stored.keys().keys()).containsExactly(key);
    assertThat(key.from()).isEqualTo(clock.instant());
    assertThat(key.secret()).hasSize(32);
  }

  @Test
  void nothingIsWrittenWhileNoRotationIsDue() {
    IssuingKeyRing ring = replica();
    IssuingKeys.Key first = ring.issuing();
    long writes = kept.writes();

    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofHours(1));
      assertThat(ring.issuing()).isEqualTo(first);
      assertThat(ring.verifying(first.id())).contains(first);
    }

    assertThat(kept.writes()).isEqualTo(writes);
  }

  @Test
  void aDueRotationPublishesTheNextKeyBeforeItIssues() {
    IssuingKeyRing ring = replica();
    IssuingKeys.Key first = ring.issuing();

    clock.advance(DAY.minus(IssuingKeys.AHEAD));
    IssuingKeys.Key stillFirst = ring.issuing();
    List<IssuingKeys.Key> published = kept.stored.keys().keys();
    clock.advance(IssuingKeys.AHEAD);
    IssuingKeys.Key next = ring.issuing();

    assertThat(stillFirst).isEqualTo(first);
    assertThat(published).hasSize(2);
    assertThat(next).isEqualTo(published.get(1)).isNotEqualTo(first);
    assertThat(kept.writes()).isEqualTo(2);
  }

  @Test
  void aReplacedKeyVerifiesForTheLifetimeOfItsCredentialsThenLeavesTheRing() {
    IssuingKeyRing ring = replica();
    IssuingKeys.Key first = ring.issuing();
    clock.advance(DAY);
    ring.issuing();
    clock.advance(IssuingKeys.AHEAD);
    IssuingKeys.Key second = ring.issuing();

    clock.advance(IssuingKeys.LIFETIME.minus(Duration.ofSeconds(1)));
    boolean verifiesBefore = ring.verifying(first.id()).isPresent();
    clock.advance(Duration.ofSeconds(1));
    boolean verifiesAfter = ring.verifying(first.id()).isPresent();
    clock.advance(DAY);
    ring.issuing();

    assertThat(second).isNotEqualTo(first);
    assertThat(verifiesBefore).isTrue();
    assertThat(verifiesAfter).isFalse();
    assertThat(kept.stored.keys().keys())
        .extracting(IssuingKeys.Key::id)
        .doesNotContain(first.id());
    assertThat(ring.verifying(second.id())).isPresent();
  }

  @Test
  void twoReplicasRotatingAtOnceEndWithOneNewKey() {
    IssuingKeyRing a = replica();
    IssuingKeyRing b = replica();
    a.issuing();
    clock.advance(DAY.minus(IssuingKeys.AHEAD));
    a.verifying("any");
    b.verifying("any");

    a.issuing();
    b.issuing();
    clock.advance(IssuingKeys.AHEAD);

    assertThat(kept.writes()).isEqualTo(3);
    assertThat(kept.stored.keys().keys()).hasSize(2);
    assertThat(a.issuing()).isEqualTo(b.issuing()).isEqualTo(kept.stored.keys().keys().get(1));
  }

  @Test
  void aReplicaAdoptsANewerRingWithinAMinuteAndBeforeItsKeyIssues() {
    IssuingKeyRing a = replica();
    IssuingKeyRing b = replica();
    a.issuing();
    clock.advance(DAY);
    b.verifying("any");
    a.issuing();
    String next = kept.stored.keys().keys().get(1).id();

    boolean beforeRefresh = b.verifying(next).isPresent();
    clock.advance(IssuingKeyRing.REFRESH);
    boolean afterRefresh = b.verifying(next).isPresent();

    assertThat(beforeRefresh).isFalse();
    assertThat(afterRefresh).isTrue();
    assertThat(IssuingKeyRing.REFRESH).isLessThan(IssuingKeys.AHEAD);
  }

  @Test
  void aDeletedRingRevokesEveryKeyAndTheNextIssueMakesANewOne() {
    IssuingKeyRing ring = replica();
    IssuingKeys.Key first = ring.issuing();
    kept.stored = null;
    clock.advance(IssuingKeyRing.REFRESH);

    assertThat(ring.verifying(first.id())).isEmpty();
    assertThat(ring.issuing()).isNotEqualTo(first);
  }

  @Test
  void aRingIsReadAgainOnlyAfterAMinute() {
    IssuingKeyRing ring = replica();
    IssuingKeys.Key first = ring.issuing();
    kept.calls.clear();

    for (int i = 0; i < 13; i++) {
      ring.verifying(first.id());
      clock.advance(Duration.ofSeconds(5));
    }

    assertThat(kept.calls).containsExactly("read");
  }

  @Test
  void theKeptTextNamesNoKeyInItsErrorsAndReadsBack() {
    IssuingKeys keys = IssuingKeys.empty().rotated(clock.instant()).rotated(clock.instant());

    IssuingKeys back = IssuingKeys.parse(keys.text().getBytes());

    assertThat(back.keys())
        .extracting(IssuingKeys.Key::id)
        .containsExactlyElementsOf(keys.keys().stream().map(IssuingKeys.Key::id).toList());
    assertThat(back.keys().get(0).secret()).isEqualTo(keys.keys().get(0).secret());
    assertThat(keys.keys().get(0).toString())
        .doesNotContain(java.util.Base64.getEncoder().encodeToString(keys.keys().get(0).secret()));
  }
}
