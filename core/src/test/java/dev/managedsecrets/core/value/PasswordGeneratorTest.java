package dev.managedsecrets.core.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PasswordGeneratorTest {

  private static final int DRAWS = 2000;
  private static final String AWS_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  private final PasswordGenerator generator = new PasswordGenerator();

  private static GenerateSpec spec(Consumer<GenerateSpec> settings) {
    GenerateSpec s = new GenerateSpec();
    settings.accept(s);
    return s;
  }

  private static boolean anyOf(String password, String chars) {
    return password.chars().anyMatch(c -> chars.indexOf(c) >= 0);
  }

  private static Set<Character> charsOf(String s) {
    Set<Character> out = new HashSet<>();
    for (char c : s.toCharArray()) {
      out.add(c);
    }
    return out;
  }

  private static SecretsManagerException refused(GenerateSpec spec) {
    try {
      new PasswordGenerator().generate(spec);
    } catch (SecretsManagerException e) {
      return e;
    }
    throw new AssertionError("expected the parameters to be refused");
  }

  @Test
  void defaultLengthIs32() {
    assertThat(generator.generate(null)).hasSize(32);
    assertThat(generator.generate(new GenerateSpec())).hasSize(32);
    assertThat(PasswordGenerator.DEFAULT_LENGTH).isEqualTo(32);
  }

  @Test
  void lengthOneIsAllowedWhenNotEveryTypeIsRequired() {
    GenerateSpec one =
        spec(
            s -> {
              s.passwordLength = 1;
              s.requireEachIncludedType = false;
            });

    for (int i = 0; i < 200; i++) {
      assertThat(generator.generate(one)).hasSize(1);
    }
  }

  @Test
  void lengthOneIsAllowedWithOneIncludedType() {
    GenerateSpec one =
        spec(
            s -> {
              s.passwordLength = 1;
              s.excludeUppercase = true;
              s.excludeNumbers = true;
              s.excludePunctuation = true;
            });

    for (int i = 0; i < 200; i++) {
      assertThat(generator.generate(one)).hasSize(1).matches("[a-z]");
    }
  }

  @Test
  void lengthMaximumIs4096() {
    assertThat(generator.generate(spec(s -> s.passwordLength = 4096))).hasSize(4096);
  }

  @Test
  void lengthZeroIsInvalidParameter() {
    assertThat(refused(spec(s -> s.passwordLength = 0)).error())
        .isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
  }

  @Test
  void length4097IsInvalidParameter() {
    assertThat(refused(spec(s -> s.passwordLength = 4097)).error())
        .isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
  }

  @Test
  void negativeLengthIsInvalidParameter() {
    assertThat(refused(spec(s -> s.passwordLength = -1)).error())
        .isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
  }

  @Test
  void excludeLowercaseNeverYieldsLowercase() {
    GenerateSpec p = spec(s -> s.excludeLowercase = true);
    for (int i = 0; i < DRAWS; i++) {
      assertThat(anyOf(generator.generate(p), PasswordGenerator.LOWERCASE)).isFalse();
    }
  }

  @Test
  void excludeUppercaseNeverYieldsUppercase() {
    GenerateSpec p = spec(s -> s.excludeUppercase = true);
    for (int i = 0; i < DRAWS; i++) {
      assertThat(anyOf(generator.generate(p), PasswordGenerator.UPPERCASE)).isFalse();
    }
  }

  @Test
  void excludeNumbersNeverYieldsDigits() {
    GenerateSpec p = spec(s -> s.excludeNumbers = true);
    for (int i = 0; i < DRAWS; i++) {
      assertThat(anyOf(generator.generate(p), "0123456789")).isFalse();
    }
  }

  @Test
  void excludePunctuationNeverYieldsPunctuation() {
    GenerateSpec p = spec(s -> s.excludePunctuation = true);
    for (int i = 0; i < DRAWS; i++) {
      assertThat(generator.generate(p)).matches("[A-Za-z0-9]{32}");
    }
  }

  @Test
  void excludeCharactersNeverAppear() {
    // the rotation templates' exclusions, plus Postgres' colon
    String excluded = "/@\"'\\:";
    GenerateSpec p = spec(s -> s.excludeCharacters = excluded);
    for (int i = 0; i < DRAWS; i++) {
      assertThat(anyOf(generator.generate(p), excluded)).isFalse();
    }
  }

  @Test
  void excludeCharactersCanEmptyAWholeClass() {
    GenerateSpec p =
        spec(
            s -> {
              s.excludeCharacters = "0123456789";
              s.passwordLength = 4;
            });
    for (int i = 0; i < DRAWS; i++) {
      String pw = generator.generate(p);
      assertThat(anyOf(pw, "0123456789")).isFalse();
      assertThat(anyOf(pw, PasswordGenerator.LOWERCASE)).isTrue();
      assertThat(anyOf(pw, PasswordGenerator.UPPERCASE)).isTrue();
      assertThat(anyOf(pw, AWS_PUNCTUATION)).isTrue();
    }
  }

  @Test
  void withoutIncludeSpaceThereIsNeverASpace() {
    GenerateSpec p = spec(s -> s.passwordLength = 256);
    for (int i = 0; i < DRAWS; i++) {
      assertThat(generator.generate(p)).doesNotContain(" ");
    }
  }

  @Test
  void includeSpaceCanYieldASpace() {
    GenerateSpec p =
        spec(
            s -> {
              s.includeSpace = true;
              s.passwordLength = 256;
            });
    boolean sawSpace = false;
    for (int i = 0; i < 100 && !sawSpace; i++) {
      sawSpace = generator.generate(p).contains(" ");
    }
    assertThat(sawSpace).isTrue();
  }

  @Test
  void includeSpaceAloneYieldsOnlySpaces() {
    GenerateSpec p =
        spec(
            s -> {
              s.includeSpace = true;
              s.excludeLowercase = true;
              s.excludeUppercase = true;
              s.excludeNumbers = true;
              s.excludePunctuation = true;
              s.passwordLength = 5;
            });

    assertThat(generator.generate(p)).isEqualTo("     ");
  }

  @Test
  void excludedSpaceIsNotUsedEvenWithIncludeSpace() {
    GenerateSpec p =
        spec(
            s -> {
              s.includeSpace = true;
              s.excludeCharacters = " ";
              s.passwordLength = 256;
            });
    for (int i = 0; i < 200; i++) {
      assertThat(generator.generate(p)).doesNotContain(" ");
    }
  }

  @Test
  void requireEachIncludedTypeByDefaultYieldsEveryClassInEveryDraw() {
    GenerateSpec p = spec(s -> s.passwordLength = 4);
    for (int i = 0; i < DRAWS; i++) {
      String pw = generator.generate(p);
      assertThat(pw).hasSize(4);
      assertThat(anyOf(pw, PasswordGenerator.LOWERCASE)).as(pw).isTrue();
      assertThat(anyOf(pw, PasswordGenerator.UPPERCASE)).as(pw).isTrue();
      assertThat(anyOf(pw, "0123456789")).as(pw).isTrue();
      assertThat(anyOf(pw, AWS_PUNCTUATION)).as(pw).isTrue();
    }
  }

  @Test
  void requireEachIncludedTypeCoversOnlyTheIncludedClasses() {
    GenerateSpec p =
        spec(
            s -> {
              s.passwordLength = 2;
              s.excludeUppercase = true;
              s.excludePunctuation = true;
              s.requireEachIncludedType = true;
            });
    for (int i = 0; i < DRAWS; i++) {
      String pw = generator.generate(p);
      assertThat(pw).matches("[a-z0-9]{2}");
      assertThat(anyOf(pw, PasswordGenerator.LOWERCASE)).as(pw).isTrue();
      assertThat(anyOf(pw, "0123456789")).as(pw).isTrue();
    }
  }

  @Test
  void requiredCharactersAreNotAlwaysInTheSamePositions() {
    GenerateSpec p = spec(s -> s.passwordLength = 4);
    Set<Integer> lowercaseFirstPositions = new HashSet<>();
    for (int i = 0; i < DRAWS; i++) {
      String pw = generator.generate(p);
      for (int j = 0; j < pw.length(); j++) {
        if (PasswordGenerator.LOWERCASE.indexOf(pw.charAt(j)) >= 0) {
          lowercaseFirstPositions.add(j);
          break;
        }
      }
    }
    assertThat(lowercaseFirstPositions).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  @Test
  void withoutRequireEachIncludedTypeSomeDrawsMissAClass() {
    GenerateSpec p =
        spec(
            s -> {
              s.passwordLength = 4;
              s.requireEachIncludedType = false;
            });
    boolean missed = false;
    for (int i = 0; i < DRAWS && !missed; i++) {
      String pw = generator.generate(p);
      missed =
          !(anyOf(pw, PasswordGenerator.LOWERCASE)
              && anyOf(pw, PasswordGenerator.UPPERCASE)
              && anyOf(pw, "0123456789")
              && anyOf(pw, AWS_PUNCTUATION));
    }
    assertThat(missed).isTrue();
  }

  @Test
  void punctuationIsExactlyAwsThirtyTwoCharacters() {
    assertThat(PasswordGenerator.PUNCTUATION).isEqualTo(AWS_PUNCTUATION);
    assertThat(AWS_PUNCTUATION).hasSize(32);
    assertThat(charsOf(AWS_PUNCTUATION)).hasSize(32);
  }

  @Test
  void punctuationOnlyPasswordsUseExactlyTheThirtyTwoCharacters() {
    GenerateSpec p =
        spec(
            s -> {
              s.passwordLength = 4096;
              s.excludeLowercase = true;
              s.excludeUppercase = true;
              s.excludeNumbers = true;
            });
    Set<Character> seen = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      seen.addAll(charsOf(generator.generate(p)));
    }
    assertThat(seen).isEqualTo(charsOf(AWS_PUNCTUATION));
  }

  @Test
  void defaultPasswordsUseExactlyLettersDigitsAndPunctuation() {
    GenerateSpec p = spec(s -> s.passwordLength = 4096);
    Set<Character> seen = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      seen.addAll(charsOf(generator.generate(p)));
    }
    assertThat(seen)
        .isEqualTo(
            charsOf(
                PasswordGenerator.LOWERCASE
                    + PasswordGenerator.UPPERCASE
                    + "0123456789"
                    + AWS_PUNCTUATION));
  }

  @Test
  void everythingExcludedIsInvalidParameter() {
    GenerateSpec p =
        spec(
            s -> {
              s.excludeLowercase = true;
              s.excludeUppercase = true;
              s.excludeNumbers = true;
              s.excludePunctuation = true;
            });

    assertThat(refused(p).error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
  }

  @Test
  void everyCharacterInExcludeCharactersIsInvalidParameter() {
    GenerateSpec p =
        spec(
            s ->
                s.excludeCharacters =
                    PasswordGenerator.LOWERCASE
                        + PasswordGenerator.UPPERCASE
                        + PasswordGenerator.NUMBERS
                        + AWS_PUNCTUATION);

    assertThat(refused(p).error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
  }

  @Test
  void lengthShorterThanTheRequiredClassesIsInvalidParameter() {
    assertThat(refused(spec(s -> s.passwordLength = 3)).error())
        .isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(refused(spec(s -> s.passwordLength = 1)).error())
        .isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThatCode(() -> generator.generate(spec(s -> s.passwordLength = 4)))
        .doesNotThrowAnyException();
  }

  @Test
  void refusalMessagesNameTheParameter() {
    assertThat(refused(spec(s -> s.passwordLength = 0)).getMessage()).contains("PasswordLength");
    assertThat(refused(spec(s -> s.passwordLength = 3)).getMessage())
        .contains("RequireEachIncludedType");
  }

  @Test
  void consecutiveDrawsDiffer() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      seen.add(generator.generate(null));
    }
    assertThat(seen).hasSize(100);
  }
}
