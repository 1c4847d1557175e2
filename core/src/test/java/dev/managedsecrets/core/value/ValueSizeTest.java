package dev.managedsecrets.core.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.SecretSource;
import dev.managedsecrets.core.Allocations;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * One bound for every value, AWS's 65,536 bytes, checked where the value is assembled, whatever it
 * is made of: data, generate, database, secretString, secretBinary or fromSecret.
 */
class ValueSizeTest {

  private static final String TEXT_REFUSAL =
      "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member"
          + " must have length less than or equal to 65536. A ManagedSecret's value (secretString,"
          + " secretBinary, fromSecret, or data, generate and database as one JSON object) is at"
          + " most 65536 bytes.";

  private final ValueAssembler assembler =
      new ValueAssembler(new KeyedHash(new byte[32]), new PasswordGenerator());

  private SecretValue assemble(ValueInput input) {
    return assembler.assemble(input, null, Map.of());
  }

  private SecretsManagerException refused(ValueInput input) {
    SecretsManagerException e =
        catchThrowableOfType(SecretsManagerException.class, () -> assemble(input));
    assertThat(e).as("the value must be refused").isNotNull();
    assertThat(e.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION);
    return e;
  }

  private static ValueInput spec(Consumer<ManagedSecretSpec> settings) {
    return spec(settings, null);
  }

  private static ValueInput spec(Consumer<ManagedSecretSpec> settings, Map<String, byte[]> source) {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    settings.accept(spec);
    return ValueInputs.of(spec, source);
  }

  private static GenerateSpec length(int n) {
    GenerateSpec g = new GenerateSpec();
    g.passwordLength = n;
    return g;
  }

  @Test
  void dataWhoseValuesEachFitButTogetherPassTheBoundIsRefusedNamingNoKeyAndNoByte() {
    ValueInput input =
        spec(
            s ->
                s.data =
                    Map.of("first-key-3c1d", "a".repeat(40_000), "second", "b".repeat(40_000)));

    SecretsManagerException e = refused(input);

    assertThat(e.getMessage()).isEqualTo(TEXT_REFUSAL);
    assertThat(e.toString()).doesNotContain("first-key-3c1d").doesNotContain("aaa");
  }

  @Test
  void aJsonValueOfExactly65536BytesIsAssembledAndOneByteMoreIsRefused() {
    // {"a":"..."} is 8 bytes around the text.
    SecretValue max = assemble(spec(s -> s.data = Map.of("a", "x".repeat(65_528))));

    assertThat(max.bytes()).hasSize(65_536);
    refused(spec(s -> s.data = Map.of("a", "x".repeat(65_529))));
  }

  @Test
  void escapedAndMultiByteTextIsCountedAsTheJsonBytesThatAreStored() {
    // Each quote becomes \" and each é two bytes: 32,765 of either fit, by the stored bytes.
    assertThat(assemble(spec(s -> s.data = Map.of("a", "\"".repeat(32_764)))).bytes())
        .hasSize(65_536);
    refused(spec(s -> s.data = Map.of("a", "\"".repeat(32_765))));
    refused(spec(s -> s.data = Map.of("a", "é".repeat(32_765))));
  }

  @Test
  void generatedKeysCountTowardTheBound() {
    Map<String, GenerateSpec> generate = new TreeMap<>();
    for (int i = 0; i < 17; i++) {
      generate.put("password-" + i, length(4096));
    }

    SecretsManagerException e = refused(spec(s -> s.generate = generate));

    assertThat(e.getMessage()).isEqualTo(TEXT_REFUSAL).doesNotContain("password-");
  }

  @Test
  void databaseFieldsCountTowardTheBound() {
    DatabaseSpec db = new DatabaseSpec();
    db.engine = "postgres";
    db.host = "h".repeat(253);
    String almost = "x".repeat(65_528 - 100);

    assemble(spec(s -> s.data = Map.of("a", almost)));
    refused(
        spec(
            s -> {
              s.data = Map.of("a", almost);
              s.database = db;
            }));
  }

  @Test
  void aWholeValueOfExactly65536BytesIsAssembledAndOneByteMoreIsRefusedTextOrBinary() {
    assemble(new ValueInput.Whole(SecretValue.text("s".repeat(65_536))));
    assemble(new ValueInput.Whole(new SecretValue(new byte[65_536], true)));

    SecretsManagerException text =
        refused(new ValueInput.Whole(SecretValue.text("s".repeat(65_537))));
    SecretsManagerException binary =
        refused(new ValueInput.Whole(new SecretValue(new byte[65_537], true)));

    assertThat(text.getMessage()).isEqualTo(TEXT_REFUSAL);
    assertThat(binary.getMessage())
        .startsWith(
            "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint:"
                + " Member must have length less than or equal to 65536");
  }

  @Test
  void aFromSecretSourcePastTheBoundIsRefusedAsOneKeyOrAsEveryKey() {
    SecretSource whole = new SecretSource();
    whole.name = "source";
    SecretSource oneKey = new SecretSource();
    oneKey.name = "source";
    oneKey.key = "big";
    Map<String, byte[]> source =
        Map.of(
            "big", "b".repeat(65_537).getBytes(StandardCharsets.UTF_8),
            "small", "s".getBytes(StandardCharsets.UTF_8));

    refused(spec(s -> s.fromSecret = oneKey, source));
    refused(spec(s -> s.fromSecret = whole, source));
    oneKey.key = "small";
    assemble(spec(s -> s.fromSecret = oneKey, source));
  }

  @Test
  void aJsonValuePastTheBoundIsRefusedWithoutBeingHeldWhole() {
    ValueInput input = spec(s -> s.data = Map.of("a", "x".repeat(8 << 20)));

    long allocated = Allocations.during(() -> refused(input));

    // Writing the 8 MiB value whole would allocate it at least twice (text, then bytes).
    assertThat(allocated).as("bytes allocated to refuse it").isLessThan(2L << 20);
  }

  @Test
  void theDecodedLengthOfBase64IsComputedWithoutDecoding() {
    Random random = new Random(7);
    for (int n = 0; n <= 64; n++) {
      byte[] bytes = new byte[n];
      random.nextBytes(bytes);
      assertThat(ValueSize.decodedLength(Base64.getEncoder().encodeToString(bytes)))
          .as("%d bytes, padded", n)
          .isEqualTo(n);
      assertThat(
              ValueSize.decodedLength(Base64.getEncoder().withoutPadding().encodeToString(bytes)))
          .as("%d bytes, unpadded", n)
          .isEqualTo(n);
    }
  }

  @Test
  void theUtf8LengthOfTextIsTheLengthOfItsEncoding() {
    for (String text :
        List.of(
            "",
            "ascii",
            "é",
            "€",
            "😀",
            "a😀b",
            "\ud800",
            "\udc00x",
            "x\ud800",
            "\ud83d\ud83d\ude00")) {
      assertThat(ValueSize.utf8Length(text, 0, text.length()))
          .as(Arrays.toString(text.toCharArray()))
          .isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }
  }
}
