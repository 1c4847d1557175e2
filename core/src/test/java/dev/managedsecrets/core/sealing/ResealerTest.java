package dev.managedsecrets.core.sealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Re-sealing for the current key: each value opened under the binding the request names (never its
 * own header), sealed again under that binding for the new key; nothing else is answered.
 */
class ResealerTest {

  private final SealingPrivateKey old = SealingPrivateKey.generate();
  private final SealingPrivateKey current = SealingPrivateKey.generate();
  private final Resealer resealer =
      new Resealer(
          SealedValueOpener.keys(
              id -> id.equals(old.keyId()) ? old : id.equals(current.keyId()) ? current : null));
  private final SealedValueOpener opener =
      new SealedValueOpener(
          SealedValueOpener.keys(
              id -> id.equals(old.keyId()) ? old : id.equals(current.keyId()) ? current : null));

  private static String seal(SealingPrivateKey key, SealingBinding binding, String plaintext) {
    return Sealer.seal(key.publicKey(), binding, plaintext.getBytes(StandardCharsets.UTF_8));
  }

  private String open(String text, SealingBinding binding) {
    return new String(
        opener.open(SealedValue.parse(text, "v"), binding, "v"), StandardCharsets.UTF_8);
  }

  private static SealingBinding data(String key) {
    return SealingBinding.strict("team-a", "orders", SealingTarget.data(key));
  }

  @Test
  void valuesSealedForAnOlderKeyAreSealedForTheCurrentOneUnderTheSameBinding() {
    Map<String, String> sealed = new LinkedHashMap<>();
    sealed.put("username", seal(old, data("username"), "saanvi"));
    sealed.put("password", seal(old, data("password"), "aDM4N3*!8TT"));
    ResealAnswer answer =
        resealer.reseal(
            new ResealRequest("team-a", "orders", null, sealed, null, null), current.publicKey());

    assertThat(answer.keyId()).isEqualTo(current.keyId());
    assertThat(answer.sealedData().keySet()).containsExactly("username", "password");
    for (Map.Entry<String, String> e : answer.sealedData().entrySet()) {
      assertThat(SealedValue.parse(e.getValue(), "v").keyId()).isEqualTo(current.keyId());
    }
    assertThat(open(answer.sealedData().get("password"), data("password")))
        .isEqualTo("aDM4N3*!8TT");
    assertThat(open(answer.sealedData().get("username"), data("username"))).isEqualTo("saanvi");
  }

  @Test
  void aValueSealedForTheCurrentKeyAlreadyIsAnsweredAsItWas() {
    String already = seal(current, data("k"), "v");
    ResealAnswer answer =
        resealer.reseal(
            new ResealRequest("team-a", "orders", "strict", Map.of("k", already), null, null),
            current.publicKey());
    assertThat(answer.sealedData()).containsExactly(Map.entry("k", already));
  }

  @Test
  void wholeValuesAndTheNamespaceWideScopeKeepTheirBinding() {
    SealingBinding wide =
        new SealingBinding(
            SealingScope.NAMESPACE_WIDE, "team-a", null, SealingTarget.secretBinary());
    ResealAnswer answer =
        resealer.reseal(
            new ResealRequest(
                "team-a", "orders", "namespace-wide", null, null, seal(old, wide, "bytes")),
            current.publicKey());
    assertThat(answer.sealedData()).isNull();
    assertThat(answer.sealedSecretString()).isNull();
    assertThat(open(answer.sealedSecretBinary(), wide)).isEqualTo("bytes");
    SealingBinding strict = SealingBinding.strict("team-a", "orders", SealingTarget.secretBinary());
    assertThatThrownBy(() -> open(answer.sealedSecretBinary(), strict))
        .isInstanceOf(SealedValueException.class);
  }

  @Test
  void aValueThatDoesNotOpenUnderTheRequestsBindingRefusesTheWholeRequest() {
    Map<String, String> sealed = new LinkedHashMap<>();
    sealed.put("a", seal(old, data("a"), "fine"));
    sealed.put(
        "b",
        seal(old, SealingBinding.strict("team-b", "orders", SealingTarget.data("b")), "moved"));
    assertThatThrownBy(
            () ->
                resealer.reseal(
                    new ResealRequest("team-a", "orders", null, sealed, null, null),
                    current.publicKey()))
        .isInstanceOfSatisfying(
            SealedValueException.class,
            e -> {
              assertThat(e.refusal()).isEqualTo(SealedValueException.Refusal.OTHER_NAMESPACE);
              assertThat(e.getMessage())
                  .startsWith("sealed key 2 of 2 (sealedData)")
                  .doesNotContain("moved");
            });
  }

  @Test
  void aRequestThatIsNoManagedSecretsSealedFieldsIsAValidationError() {
    assertThatThrownBy(
            () ->
                resealer.reseal(
                    new ResealRequest("Team A", "orders", null, Map.of(), null, null),
                    current.publicKey()))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION));
    assertThatThrownBy(() -> ResealRequest.parse("{\"namespace\":\"a\",\"extra\":1}".getBytes()))
        .isInstanceOf(SecretsManagerException.class)
        .hasMessageNotContaining("extra");
  }

  @Test
  void theRequestAndTheAnswerTravelAsJson() {
    ResealRequest request =
        new ResealRequest("team-a", "orders", "strict", Map.of("k", "msv1.x"), null, null);
    assertThat(ResealRequest.parse(request.toJson())).isEqualTo(request);
    assertThat(new String(request.toJson(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"namespace\":\"team-a\",\"name\":\"orders\",\"sealedScope\":\"strict\","
                + "\"sealedData\":{\"k\":\"msv1.x\"}}");
    ResealAnswer answer = new ResealAnswer("abc", null, "msv1.y", null);
    assertThat(ResealAnswer.parse(new String(answer.toJson(), StandardCharsets.UTF_8)))
        .isEqualTo(answer);
  }
}
