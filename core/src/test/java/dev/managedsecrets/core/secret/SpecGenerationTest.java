package dev.managedsecrets.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpecGenerationTest {

  static final SpecGeneration FIVE = new SpecGeneration("uid-1", 5);

  @Test
  void onlyALaterGenerationOfTheSameManagedSecretIsNewer() {
    assertThat(new SpecGeneration("uid-1", 6).newerThan(FIVE)).isTrue();
    assertThat(new SpecGeneration("uid-1", 5).newerThan(FIVE)).isFalse();
    assertThat(new SpecGeneration("uid-1", 4).newerThan(FIVE)).isFalse();
    assertThat(new SpecGeneration("uid-2", 9).newerThan(FIVE))
        .as("another ManagedSecret of the same name: never compared")
        .isFalse();
    assertThat(FIVE.newerThan(null)).isFalse();
  }

  @Test
  void aRecordIsWrittenAfterASpecOnlyByALaterGenerationOfItsManagedSecret() {
    StoredSecret record =
        StoredSecret.create(new SecretId("team-a", "db"), "arn", "db", "uid-1", null)
            .writtenBy(new SpecGeneration("uid-1", 6));

    assertThat(record.writtenAfter(FIVE)).isTrue();
    assertThat(record.writtenAfter(new SpecGeneration("uid-1", 6))).isFalse();
    assertThat(record.writtenAfter(new SpecGeneration("uid-2", 1))).isFalse();
    assertThat(record.writtenBy(null)).isSameAs(record);
    assertThat(
            StoredSecret.create(new SecretId("team-a", "db"), "arn", "db", "uid-1", null)
                .writtenAfter(FIVE))
        .as("a record written before records carried a spec generation")
        .isFalse();
  }

  @Test
  void atLeastTakesTheLaterGenerationOfTheSameManagedSecretOnly() {
    assertThat(FIVE.atLeast(new SpecGeneration("uid-1", 7)))
        .isEqualTo(new SpecGeneration("uid-1", 7));
    assertThat(FIVE.atLeast(new SpecGeneration("uid-1", 3))).isEqualTo(FIVE);
    assertThat(FIVE.atLeast(new SpecGeneration("uid-2", 7))).isEqualTo(FIVE);
  }

  @Test
  void aGenerationIsOneOrMore() {
    assertThatThrownBy(() -> new SpecGeneration("uid-1", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
