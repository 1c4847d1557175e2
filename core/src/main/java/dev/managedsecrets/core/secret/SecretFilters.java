package dev.managedsecrets.core.secret;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * ListSecrets' (and BatchGetSecretValue's) {@code Filters}, checked and matched as AWS does; the
 * one implementation the Secrets Manager endpoint and the kubectl plugin share.
 *
 * <ul>
 *   <li>{@code name}, {@code tag-key}, {@code tag-value}, {@code primary-region}: a prefix of the
 *       whole attribute, case-sensitive ({@code name} is not split into words).
 *   <li>{@code description}, {@code all}: by words, not case-sensitive; each word of the value must
 *       be a prefix of a word of the attribute ({@code all}: of the name, the description, a tag
 *       key or a tag value). Words are split at characters other than letters and digits and where
 *       the case changes: {@code MyAppSecret} is My, App, Secret; {@code COMPANYthings} is COMPAN,
 *       Ythings.
 *   <li>{@code owning-service}: no secret here is owned by another service, so it matches none.
 *   <li>A value starting with {@code !} excludes the secrets it matches. The other values of a
 *       filter are alternatives; a filter of only negated values keeps what none of them matches.
 *       All filters must match.
 * </ul>
 *
 * Sources: AWS's API reference (Filter); LocalStack's {@code test_list_secrets_filtering} and
 * moto's {@code test_with_all_filter*} recorded against AWS.
 */
public final class SecretFilters {

  /** The filter keys AWS knows, in the order its validation message lists them. */
  public static final List<String> KEYS =
      List.of(
          "description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all");

  private static final Pattern VALUE = Pattern.compile("^!?[a-zA-Z0-9 :_@/+=.\\-!]*$");
  private static final Pattern WORD_BREAK = Pattern.compile("[^\\p{L}\\p{N}]+");

  /** Between a lower-case letter or digit and a capital; before the last of a run of capitals. */
  private static final Pattern CASE_BREAK =
      Pattern.compile("(?<=[\\p{Ll}\\p{N}])(?=\\p{Lu})|(?<=\\p{Lu})(?=\\p{Lu}\\p{Ll})");

  /** One filter as asked: a key and 1-10 values. */
  public record Filter(String key, List<String> values) {
    public Filter {
      values = values == null ? List.of() : List.copyOf(values);
    }
  }

  /** A secret's attributes that filters look at. */
  public record Attributes(
      String name, String description, List<SecretTag> tags, String primaryRegion) {
    public Attributes {
      tags = tags == null ? List.of() : List.copyOf(tags);
    }
  }

  private final List<Filter> filters;

  private SecretFilters(List<Filter> filters) {
    this.filters = List.copyOf(filters);
  }

  /**
   * The filters, checked as AWS checks them: at most 10, a known key, 1-10 values of at most 512
   * characters of the allowed ones (ValidationException or InvalidParameterException with AWS's
   * texts).
   */
  public static SecretFilters of(List<Filter> filters) {
    if (filters.size() > 10) {
      throw validation(
          "1 validation error detected: Value at 'filters' failed to satisfy constraint: Member"
              + " must have length less than or equal to 10");
    }
    for (int i = 0; i < filters.size(); i++) {
      Filter f = filters.get(i);
      String member = "filters." + (i + 1) + ".member";
      if (f.key() == null || !KEYS.contains(f.key())) {
        throw validation(
            "1 validation error detected: Value '"
                + f.key()
                + "' at '"
                + member
                + ".key' failed to satisfy constraint: Member must satisfy enum value set: "
                + KEYS);
      }
      if (f.values().isEmpty()) {
        throw new SecretsManagerException(
            AwsError.INVALID_PARAMETER_EXCEPTION,
            "Filter " + f.key() + " needs at least one value.");
      }
      if (f.values().size() > 10) {
        throw validation(
            "1 validation error detected: Value at '"
                + member
                + ".values' failed to satisfy constraint: Member must have length less than or"
                + " equal to 10");
      }
      for (String v : f.values()) {
        if (v == null || v.length() > 512 || !VALUE.matcher(v).matches()) {
          throw validation(
              "1 validation error detected: Value at '"
                  + member
                  + ".values' failed to satisfy constraint: Member must satisfy regular"
                  + " expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$");
        }
      }
    }
    return new SecretFilters(filters);
  }

  /** True when every filter matches the secret. */
  public boolean matches(Attributes a) {
    return filters.stream().allMatch(f -> matches(f, a));
  }

  private static boolean matches(Filter f, Attributes a) {
    boolean anyPositive = false;
    boolean positiveFound = false;
    for (String v : f.values()) {
      if (v.startsWith("!")) {
        if (matchesOne(f.key(), v.substring(1), a)) {
          return false;
        }
      } else {
        anyPositive = true;
        positiveFound = positiveFound || matchesOne(f.key(), v, a);
      }
    }
    return !anyPositive || positiveFound;
  }

  private static boolean matchesOne(String key, String value, Attributes a) {
    return switch (key) {
      case "name" -> a.name() != null && a.name().startsWith(value);
      case "description" -> a.description() != null && wordsMatch(List.of(a.description()), value);
      case "tag-key" -> a.tags().stream().anyMatch(t -> t.key().startsWith(value));
      case "tag-value" -> a.tags().stream().anyMatch(t -> t.value().startsWith(value));
      case "primary-region" -> a.primaryRegion() != null && a.primaryRegion().startsWith(value);
      case "all" -> wordsMatch(allAttributes(a), value);
      default -> false; // owning-service: no secret here is owned by another service
    };
  }

  private static List<String> allAttributes(Attributes a) {
    List<String> out = new ArrayList<>();
    if (a.name() != null) {
      out.add(a.name());
    }
    if (a.description() != null) {
      out.add(a.description());
    }
    a.tags()
        .forEach(
            t -> {
              out.add(t.key());
              out.add(t.value());
            });
    return out;
  }

  /**
   * True when every word of {@code value} is, not case-sensitive, a prefix of a word of one of the
   * {@code attributes}; a value without a word ({@code +}) matches nothing, as in AWS.
   */
  static boolean wordsMatch(List<String> attributes, String value) {
    List<String> wanted = words(value);
    if (wanted.isEmpty()) {
      return false;
    }
    List<String> words = new ArrayList<>();
    attributes.forEach(a -> words.addAll(words(a)));
    for (String word : wanted) {
      if (words.stream().noneMatch(w -> w.startsWith(word))) {
        return false;
      }
    }
    return true;
  }

  /** The words of a text, lower case: split at other characters and where the case changes. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String part : WORD_BREAK.split(text)) {
      for (String word : CASE_BREAK.split(part)) {
        if (!word.isEmpty()) {
          out.add(word.toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  private static SecretsManagerException validation(String message) {
    return new SecretsManagerException(AwsError.VALIDATION_EXCEPTION, message);
  }
}
