package dev.managedsecrets.cli.aws;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * ListSecrets' filters, as AWS documents them: {@code name}, {@code tag-key}, {@code tag-value} and
 * {@code primary-region} match prefixes case-sensitively; {@code description} matches a prefix
 * ignoring case; {@code all} splits the value into words and matches each against the words of the
 * name, description, tag keys and tag values, ignoring case. A value starting with {@code !}
 * negates. The values of one filter are alternatives; all filters must match.
 */
public final class ListFilters {

  private static final Set<String> KEYS =
      Set.of(
          "description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all");
  private static final Pattern VALUE = Pattern.compile("^!?[a-zA-Z0-9 :_@/+=.\\-!]*$");
  private static final Pattern WORD_SEPARATORS = Pattern.compile("[\\s/_+=.@:\\-]+");

  private final List<Shorthand.Filter> filters;

  private ListFilters(List<Shorthand.Filter> filters) {
    this.filters = filters;
  }

  public static ListFilters of(List<Shorthand.Filter> filters) {
    for (Shorthand.Filter f : filters) {
      if (!KEYS.contains(f.key())) {
        throw new ServiceException(
            "ValidationException",
            "1 validation error detected: Value '"
                + f.key()
                + "' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy"
                + " enum value set: [all, name, tag-key, description, tag-value, primary-region,"
                + " owning-service]");
      }
      if (f.values().isEmpty() || f.values().size() > 10) {
        throw CliException.parameter("--filters", "each filter takes 1 to 10 values");
      }
      for (String v : f.values()) {
        if (v.length() > 512 || !VALUE.matcher(v).matches()) {
          throw new ServiceException(
              "ValidationException",
              "1 validation error detected: Value at 'filters.1.member.values' failed to satisfy"
                  + " constraint: Member must satisfy regular expression pattern:"
                  + " ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$");
        }
      }
    }
    return new ListFilters(filters);
  }

  public boolean matches(ManagedSecret ms, String region) {
    for (Shorthand.Filter f : filters) {
      if (!matches(f, ms, region)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(Shorthand.Filter f, ManagedSecret ms, String region) {
    List<String> positive = new ArrayList<>();
    List<String> negative = new ArrayList<>();
    for (String v : f.values()) {
      if (v.startsWith("!")) {
        negative.add(v.substring(1));
      } else {
        positive.add(v);
      }
    }
    Function<String, Boolean> test = v -> matchesOne(f.key(), v, ms, region);
    for (String v : negative) {
      if (test.apply(v)) {
        return false;
      }
    }
    return positive.isEmpty() || positive.stream().anyMatch(test::apply);
  }

  private static boolean matchesOne(String key, String value, ManagedSecret ms, String region) {
    List<Tag> tags =
        ms.getSpec() == null || ms.getSpec().tags == null ? List.of() : ms.getSpec().tags;
    String description = ms.getSpec() == null ? null : ms.getSpec().description;
    return switch (key) {
      case "name" -> Responses.name(ms).startsWith(value);
      case "description" ->
          description != null
              && description.toLowerCase(Locale.ROOT).startsWith(value.toLowerCase(Locale.ROOT));
      case "tag-key" -> tags.stream().anyMatch(t -> t.key != null && t.key.startsWith(value));
      case "tag-value" -> tags.stream().anyMatch(t -> t.value != null && t.value.startsWith(value));
      case "primary-region" -> region != null && region.startsWith(value);
      case "all" -> all(value, ms, description, tags);
      default -> false; // owning-service: no secret here is owned by another service
    };
  }

  private static boolean all(String value, ManagedSecret ms, String description, List<Tag> tags) {
    List<String> words = new ArrayList<>();
    addWords(words, Responses.name(ms));
    addWords(words, description);
    for (Tag t : tags) {
      addWords(words, t.key);
      addWords(words, t.value);
    }
    for (String wanted : value.toLowerCase(Locale.ROOT).trim().split("\\s+")) {
      if (wanted.isEmpty()) {
        continue;
      }
      if (words.stream().noneMatch(w -> w.startsWith(wanted))) {
        return false;
      }
    }
    return true;
  }

  private static void addWords(List<String> words, String text) {
    if (text == null) {
      return;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    words.add(lower);
    for (String w : WORD_SEPARATORS.split(lower)) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
  }

  /** The region in an ARN (arn:partition:secretsmanager:REGION:...), or null. */
  public static String region(String arn) {
    if (arn == null) {
      return null;
    }
    String[] parts = arn.split(":", 6);
    return parts.length >= 4 ? parts[3] : null;
  }
}
