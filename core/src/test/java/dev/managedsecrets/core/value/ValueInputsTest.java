package dev.managedsecrets.core.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.SecretSource;
import dev.managedsecrets.core.sealing.SealedInputs;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingTarget;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueInputsTest {

  private static final byte[] NOT_UTF8 = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, 0x00};

  private static ManagedSecretSpec fromSecret(String name, String key) {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.fromSecret = new SecretSource();
    spec.fromSecret.name = name;
    spec.fromSecret.key = key;
    return spec;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void secretStringIsAWholeTextValue() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.secretString = "héllo wörld";

    ValueInput input = ValueInputs.of(spec, null);

    assertThat(input).isInstanceOf(ValueInput.Whole.class);
    SecretValue v = ((ValueInput.Whole) input).value();
    assertThat(v.binary()).isFalse();
    assertThat(v.bytes()).isEqualTo(utf8("héllo wörld"));
    assertThat(v.asText()).isEqualTo("héllo wörld");
  }

  @Test
  void secretBinaryIsAWholeBinaryValueOfTheDecodedBytes() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.secretBinary = Base64.getEncoder().encodeToString(NOT_UTF8);

    ValueInput input = ValueInputs.of(spec, null);

    assertThat(input).isEqualTo(new ValueInput.Whole(new SecretValue(NOT_UTF8, true)));
    assertThat(((ValueInput.Whole) input).value().binary()).isTrue();
  }

  @Test
  void noValueFieldsMeansNoValue() {
    assertThat(ValueInputs.of(new ManagedSecretSpec(), null)).isInstanceOf(ValueInput.None.class);
  }

  @Test
  void dataGenerateAndDatabaseMakeSortedKeyValues() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.data = new LinkedHashMap<>();
    spec.data.put("username", "app");
    spec.data.put("a", "1");
    spec.generate = new LinkedHashMap<>();
    spec.generate.put("password", new GenerateSpec());
    spec.generate.put("apiKey", null);
    spec.database = new DatabaseSpec();
    spec.database.engine = "postgres";
    spec.database.host = "db";

    ValueInput input = ValueInputs.of(spec, null);

    assertThat(input).isInstanceOf(ValueInput.KeyValues.class);
    ValueInput.KeyValues kv = (ValueInput.KeyValues) input;
    assertThat(kv.data().keySet()).containsExactly("a", "username");
    assertThat(kv.data()).containsEntry("username", "app");
    assertThat(kv.generate().keySet()).containsExactly("apiKey", "password");
    assertThat(kv.database()).isSameAs(spec.database);
  }

  @Test
  void onlyGenerateStillMakesKeyValuesWithEmptyData() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.generate = Map.of("password", new GenerateSpec());

    ValueInput.KeyValues kv = (ValueInput.KeyValues) ValueInputs.of(spec, null);

    assertThat(kv.data()).isEmpty();
    assertThat(kv.generate()).containsOnlyKeys("password");
    assertThat(kv.database()).isNull();
  }

  @Test
  void fromSecretWithUtf8KeyIsAWholeTextValue() {
    ValueInput input =
        ValueInputs.of(
            fromSecret("src", "token"), Map.of("token", utf8("tök"), "other", utf8("x")));

    assertThat(input).isEqualTo(new ValueInput.Whole(SecretValue.text("tök")));
  }

  @Test
  void fromSecretWithNonUtf8KeyIsAWholeBinaryValueOfTheSameBytes() {
    byte[] source = NOT_UTF8.clone();

    ValueInput input = ValueInputs.of(fromSecret("src", "blob"), Map.of("blob", source));

    SecretValue v = ((ValueInput.Whole) input).value();
    assertThat(v.binary()).isTrue();
    assertThat(v.bytes()).isEqualTo(NOT_UTF8).isNotSameAs(source);
  }

  @Test
  void fromSecretWithAMissingKeyIsResourceNotFoundNamingNeitherTheKeyNorTheValues() {
    SecretsManagerException e =
        catchThrowableOfType(
            SecretsManagerException.class,
            () ->
                ValueInputs.of(
                    fromSecret("src", "missing"), Map.of("present", utf8("s3cr3t-value"))));

    assertThat(e).isNotNull();
    assertThat(e.error()).isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION);
    assertThat(e.getMessage())
        .contains("src")
        .contains("fromSecret.key")
        .doesNotContain("missing")
        .doesNotContain("present")
        .doesNotContain("s3cr3t-value");
  }

  @Test
  void fromSecretWithoutKeyTakesEveryKeyAsSortedData() {
    Map<String, byte[]> source = new LinkedHashMap<>();
    source.put("username", utf8("app"));
    source.put("password", utf8("pä55"));

    ValueInput input = ValueInputs.of(fromSecret("src", null), source);

    ValueInput.KeyValues kv = (ValueInput.KeyValues) input;
    assertThat(kv.data())
        .containsExactly(Map.entry("password", "pä55"), Map.entry("username", "app"));
    assertThat(kv.generate()).isEmpty();
    assertThat(kv.database()).isNull();
  }

  @Test
  void fromSecretWithoutKeyRefusesNonUtf8DataCountingTheKeyWithoutNamingIt() {
    Map<String, byte[]> source = new LinkedHashMap<>();
    source.put("ok", utf8("fine"));
    source.put("blob", NOT_UTF8);

    SecretsManagerException e =
        catchThrowableOfType(
            SecretsManagerException.class, () -> ValueInputs.of(fromSecret("src", null), source));

    assertThat(e).isNotNull();
    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage())
        .contains("Key 1 of the 2 of Secret src (in sorted order)")
        .contains("fromSecret.key")
        .doesNotContain("blob")
        .doesNotContain("ok")
        .doesNotContain("fine");
  }

  @Test
  void fromSecretWithoutKeyOfAnEmptySecretIsInvalidParameter() {
    SecretsManagerException empty =
        catchThrowableOfType(
            SecretsManagerException.class, () -> ValueInputs.of(fromSecret("src", null), Map.of()));
    SecretsManagerException absent =
        catchThrowableOfType(
            SecretsManagerException.class, () -> ValueInputs.of(fromSecret("src", null), null));

    assertThat(empty.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(absent.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
  }

  private static SealedInputs.Item sealedKey(String key, int position, int of) {
    return item(SealingTarget.data(key), "sealed key " + position + " of " + of + " (sealedData)");
  }

  /** A sealed value of team-a/db as SealedInputs names it; its text is not read once opened. */
  private static SealedInputs.Item item(SealingTarget target, String what) {
    return new SealedInputs.Item(
        SealingBinding.strict("team-a", "db", target), "msv1.unused", what);
  }

  private static Map<SealedInputs.Item, byte[]> opened(SealedInputs.Item item, byte[] plaintext) {
    Map<SealedInputs.Item, byte[]> opened = new LinkedHashMap<>();
    opened.put(item, plaintext);
    return opened;
  }

  private static SecretsManagerException refusedOnceOpened(
      SealedInputs.Item item, byte[] plaintext) {
    return catchThrowableOfType(
        SecretsManagerException.class,
        () -> ValueInputs.withOpened(new ValueInput.None(), opened(item, plaintext)));
  }

  @Test
  void openedSealedKeysJoinThePlainKeysInOneObject() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.data = Map.of("username", "orders");
    spec.generate = Map.of("token", new GenerateSpec());
    Map<SealedInputs.Item, byte[]> opened = new LinkedHashMap<>();
    opened.put(sealedKey("apiKey", 1, 2), utf8("k-1"));
    opened.put(sealedKey("password", 2, 2), utf8("p@ss wörd"));

    ValueInput input = ValueInputs.withOpened(ValueInputs.of(spec, null), opened);

    ValueInput.KeyValues kv = (ValueInput.KeyValues) input;
    assertThat(kv.data())
        .containsExactly(
            Map.entry("apiKey", "k-1"),
            Map.entry("password", "p@ss wörd"),
            Map.entry("username", "orders"));
    assertThat(kv.generate()).containsOnlyKeys("token");
  }

  @Test
  void anOpenedSealedWholeValueIsTheWholeValue() {
    Map<SealedInputs.Item, byte[]> binary =
        opened(item(SealingTarget.secretBinary(), "sealedSecretBinary"), NOT_UTF8.clone());
    assertThat(ValueInputs.withOpened(new ValueInput.None(), binary))
        .isEqualTo(new ValueInput.Whole(new SecretValue(NOT_UTF8, true)));

    Map<SealedInputs.Item, byte[]> text =
        opened(item(SealingTarget.secretString(), "sealedSecretString"), utf8("a whole text"));
    assertThat(ValueInputs.withOpened(new ValueInput.None(), text))
        .isEqualTo(new ValueInput.Whole(SecretValue.text("a whole text")));
  }

  @Test
  void anOpenedSealedKeyThatIsNotUtf8IsRefusedByItsPlaceNeverByItsName() {
    SecretsManagerException e =
        refusedOnceOpened(sealedKey("private-key-name", 1, 1), NOT_UTF8.clone());

    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage())
        .isEqualTo(
            "sealed key 1 of 1 (sealedData) does not hold UTF-8 text, so it can't be a text value:"
                + " seal bytes as sealedSecretBinary.")
        .doesNotContain("private-key-name");
  }

  @Test
  void anOpenedSealedWholeValueThatIsEmptyIsValidationException() {
    SecretsManagerException e =
        refusedOnceOpened(item(SealingTarget.secretString(), "sealedSecretString"), new byte[0]);

    assertThat(e.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION);
    assertThat(e.getMessage())
        .isEqualTo(
            "1 validation error detected: Value at 'sealedSecretString' failed to satisfy"
                + " constraint: Member must have length between 1 and 65536");
  }
}
