package dev.managedsecrets.core.value;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** GetRandomPassword, exactly as AWS defines its parameters and character classes, on a CSPRNG. */
public final class PasswordGenerator {

  public static final String LOWERCASE = "abcdefghijklmnopqrstuvwxyz";
  public static final String UPPERCASE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  public static final String NUMBERS = "0123456789";

  /** AWS's punctuation set: exactly these 32 characters. */
  public static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  public static final int DEFAULT_LENGTH = 32;

  private final SecureRandom random;

  public PasswordGenerator() {
    this(new SecureRandom());
  }

  PasswordGenerator(SecureRandom random) {
    this.random = random;
  }

  /** Generates a password; the parameters are those of GetRandomPassword, with AWS's defaults. */
  public String generate(GenerateSpec spec) {
    GenerateSpec p = spec == null ? new GenerateSpec() : spec;
    int length = p.passwordLength == null ? DEFAULT_LENGTH : p.passwordLength;
    if (length < 1 || length > 4096) {
      throw SecretsManagerException.invalidParameter(
          "PasswordLength must be between 1 and 4096; it was " + length + ".");
    }
    String exclude = p.excludeCharacters == null ? "" : p.excludeCharacters;
    List<String> classes = new ArrayList<>();
    addClass(classes, LOWERCASE, Boolean.TRUE.equals(p.excludeLowercase), exclude);
    addClass(classes, UPPERCASE, Boolean.TRUE.equals(p.excludeUppercase), exclude);
    addClass(classes, NUMBERS, Boolean.TRUE.equals(p.excludeNumbers), exclude);
    addClass(classes, PUNCTUATION, Boolean.TRUE.equals(p.excludePunctuation), exclude);
    boolean requireEach = p.requireEachIncludedType == null || p.requireEachIncludedType;
    StringBuilder all = new StringBuilder(String.join("", classes));
    if (Boolean.TRUE.equals(p.includeSpace) && exclude.indexOf(' ') < 0) {
      all.append(' ');
    }
    if (all.isEmpty()) {
      throw SecretsManagerException.invalidParameter(
          "The password parameters exclude every character: include at least one character type.");
    }
    if (requireEach && classes.size() > length) {
      throw SecretsManagerException.invalidParameter(
          "PasswordLength "
              + length
              + " is too short to include each of the "
              + classes.size()
              + " included character types (RequireEachIncludedType).");
    }
    char[] out = new char[length];
    int i = 0;
    if (requireEach) {
      for (String c : classes) {
        out[i++] = c.charAt(random.nextInt(c.length()));
      }
    }
    for (; i < length; i++) {
      out[i] = all.charAt(random.nextInt(all.length()));
    }
    for (int j = length - 1; j > 0; j--) {
      int k = random.nextInt(j + 1);
      char t = out[j];
      out[j] = out[k];
      out[k] = t;
    }
    return new String(out);
  }

  private static void addClass(
      List<String> classes, String chars, boolean excluded, String exclude) {
    if (excluded) {
      return;
    }
    StringBuilder kept = new StringBuilder();
    for (char c : chars.toCharArray()) {
      if (exclude.indexOf(c) < 0) {
        kept.append(c);
      }
    }
    if (!kept.isEmpty()) {
      classes.add(kept.toString());
    }
  }
}
