package dev.managedsecrets.core.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * What a version records of the inputs it was made from, and how a reconcile tells from it whether
 * sealed values must be opened at all.
 */
class InputHashTest {

  @Test
  void aVersionRecordedBeforeSealedValuesReadsAsItsOpenedHashAlone() {
    InputHash recorded = InputHash.parse("b3BlbmVk");
    assertThat(recorded).isEqualTo(InputHash.plain("b3BlbmVk"));
    assertThat(recorded.recorded()).isEqualTo("b3BlbmVk");
    assertThat(InputHash.plain("b3BlbmVk").sameInputsAs(recorded)).isTrue();
    assertThat(InputHash.parse(null)).isNull();
  }

  @Test
  void sealedInputsAreRecordedWithBothHashesAndReadBack() {
    InputHash hash = InputHash.ofSealed("c2VhbGVk").withOpened("b3BlbmVk");
    assertThat(hash.recorded()).isEqualTo("b3BlbmVk.c2VhbGVk");
    assertThat(InputHash.parse(hash.recorded())).isEqualTo(hash);
  }

  @Test
  void theSameCiphertextsAreTheSameInputsWithoutOpeningAnything() {
    InputHash recorded = InputHash.parse("b3BlbmVk.c2VhbGVk");
    assertThat(InputHash.ofSealed("c2VhbGVk").sameInputsAs(recorded)).isTrue();
    assertThat(InputHash.ofSealed("YW5vdGhlcg").sameInputsAs(recorded)).isFalse();
    assertThat(InputHash.ofSealed("c2VhbGVk").sameInputsAs(null)).isFalse();
  }

  @Test
  void aValueSealedAgainIsOtherInputsButTheSameValue() {
    InputHash recorded = InputHash.parse("b3BlbmVk.c2VhbGVk");
    InputHash resealed = InputHash.ofSealed("YW5vdGhlcg");
    assertThat(resealed.sameInputsAs(recorded)).isFalse();
    assertThat(resealed.withOpened("b3BlbmVk").sameValueAs(recorded)).isTrue();
    assertThat(resealed.withOpened("Y2hhbmdlZA").sameValueAs(recorded)).isFalse();
  }

  @Test
  void aValueMovedFromPlainToSealedIsOtherInputsButTheSameValue() {
    InputHash plainVersion = InputHash.parse("b3BlbmVk");
    InputHash sealed = InputHash.ofSealed("c2VhbGVk");
    assertThat(sealed.sameInputsAs(plainVersion)).isFalse();
    assertThat(sealed.withOpened("b3BlbmVk").sameValueAs(plainVersion)).isTrue();
  }

  @Test
  void sealedInputsAreNeverRecordedBeforeTheyAreOpened() {
    assertThatThrownBy(() -> InputHash.ofSealed("c2VhbGVk").recorded())
        .isInstanceOf(IllegalStateException.class);
  }
}
