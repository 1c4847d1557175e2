package dev.managedsecrets.core.replication;

import static dev.managedsecrets.core.replication.ReplicaFixtures.BINDING;
import static dev.managedsecrets.core.replication.ReplicaFixtures.CANARIES;
import static dev.managedsecrets.core.replication.ReplicaFixtures.VALUE;
import static dev.managedsecrets.core.replication.ReplicaFixtures.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The payload and its versions: bounds, clearing, what they print, and the keyed digest. */
class ReplicaPayloadTest {

  private static final byte[] KEY =
      "operators-only-digest-key-32byte".getBytes(StandardCharsets.US_ASCII);

  @Test
  void theDigestOfEqualContentIsTheSameWhateverOrderTheTagsCameIn() {
    ReplicaPayload one = payload();
    Map<String, String> reversed = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(one.tags().keySet());
    Collections.reverse(keys);
    keys.forEach(k -> reversed.put(k, one.tags().get(k)));
    ReplicaPayload two = with(one, p -> copy(p, p.binding(), reversed, p.versions()));
    assertThat(two.tags().keySet()).containsExactlyElementsOf(one.tags().keySet());
    assertThat(two.digest(KEY)).isEqualTo(one.digest(KEY)).hasSize(64).matches("[0-9a-f]+");
    assertThat(payload().digest(KEY)).isEqualTo(one.digest(KEY));
  }

  @Test
  void theDigestChangesWithAValueAStageATagTheBindingOrTheSequence() {
    ReplicaPayload base = payload();
    String digest = base.digest(KEY);
    ReplicaVersion first = base.versions().get(0);
    List<ReplicaPayload> changed =
        List.of(
            payload(BINDING, VALUE + "!"),
            payload(new ReplicaBinding("us-east-1", "eu-west-1", "team-a", "orders2"), VALUE),
            copy(base, base.binding(), Map.of("team", "other", "env", "prod"), base.versions()),
            withFirstVersion(base, List.of("AWSCURRENT"), false),
            withFirstVersion(base, first.stages(), true),
            new ReplicaPayload(
                base.binding(),
                base.primaryArn(),
                43,
                base.description(),
                base.tags(),
                base.spec(),
                base.versions()));
    for (ReplicaPayload p : changed) {
      assertThat(p.digest(KEY)).as(p.toString()).isNotEqualTo(digest);
    }
  }

  @Test
  void theDigestDependsOnItsKeyAndNeedsOneOfSixteenBytes() {
    byte[] other = KEY.clone();
    other[0] ^= 1;
    assertThat(payload().digest(other)).isNotEqualTo(payload().digest(KEY));
    assertThatThrownBy(() -> payload().digest(new byte[15]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDigestShowsNoValue() {
    assertThat(payload().digest(KEY)).doesNotContain(VALUE);
  }

  @Test
  void clearingAPayloadZeroesEveryValue() {
    ReplicaPayload p = payload();
    p.clear();
    for (ReplicaVersion v : p.versions()) {
      assertThat(v.value()).containsOnly(0);
    }
  }

  @Test
  void printingAPayloadOrAVersionShowsNoValueTagDescriptionOrSettings() {
    String printed = payload() + " " + payload().versions();
    for (String canary : CANARIES) {
      assertThat(printed).doesNotContain(canary);
    }
    assertThat(printed).contains("team-a/orders", "AWSCURRENT", "sequence=42");
  }

  @Test
  void boundsAreRefusedWithSizesOnly() {
    String big = VALUE.repeat(100);
    assertThatThrownBy(
            () -> new ReplicaVersion("v", List.of(), Instant.EPOCH, new byte[65_537], false))
        .hasMessageContaining("65537 bytes, more than 65536");
    assertThatThrownBy(
            () -> new ReplicaVersion("v", List.of(big), Instant.EPOCH, new byte[0], false))
        .hasMessageNotContaining(VALUE);
    assertThatThrownBy(
            () -> new ReplicaVersion("v", List.of("a", "a"), Instant.EPOCH, new byte[0], false))
        .hasMessageContaining("twice");
    Map<String, String> bigTag = Map.of("k", big);
    assertThatThrownBy(() -> copy(payload(), BINDING, bigTag, List.of()))
        .hasMessageContaining("tag 1's value")
        .hasMessageNotContaining(VALUE);
    assertThatThrownBy(
            () -> new ReplicaPayload(BINDING, "arn", 1, big.repeat(10), null, null, List.of()))
        .hasMessageNotContaining(VALUE);
    ReplicaVersion a =
        new ReplicaVersion("a", List.of("AWSCURRENT"), Instant.EPOCH, new byte[0], false);
    ReplicaVersion b =
        new ReplicaVersion("b", List.of("AWSCURRENT"), Instant.EPOCH, new byte[0], false);
    assertThatThrownBy(() -> copy(payload(), BINDING, Map.of(), List.of(a, b)))
        .hasMessageContaining("staging label AWSCURRENT is on more than one version");
    assertThatThrownBy(() -> new ReplicaBinding("us-east-1", "eu-west-1", "Team_A", "orders"))
        .hasMessage("a replica's namespace has characters no namespace has");
    assertThatThrownBy(() -> new ReplicaBinding("us-east-1", "x".repeat(33), "team-a", "orders"))
        .hasMessageContaining("33 characters, more than 32");
  }

  @Test
  void theBindingsAssociatedDataTellsItsPartsApart() {
    assertThat(new ReplicaBinding("a", "b", "c", "d-e").aad())
        .isNotEqualTo(new ReplicaBinding("a", "b", "c-d", "e").aad());
  }

  /** The payload with its first version's stages and binary flag changed. */
  private static ReplicaPayload withFirstVersion(
      ReplicaPayload p, List<String> stages, boolean binary) {
    ReplicaVersion first = p.versions().get(0);
    ReplicaVersion changed =
        new ReplicaVersion(
            first.versionId(), stages, first.createdDate(), first.value().clone(), binary);
    return copy(p, p.binding(), p.tags(), List.of(changed, p.versions().get(1)));
  }

  private static ReplicaPayload with(ReplicaPayload p, UnaryOperator<ReplicaPayload> change) {
    return change.apply(p);
  }

  private static ReplicaPayload copy(
      ReplicaPayload p,
      ReplicaBinding binding,
      Map<String, String> tags,
      List<ReplicaVersion> versions) {
    return new ReplicaPayload(
        binding, p.primaryArn(), p.sequence(), p.description(), tags, p.spec(), versions);
  }
}
