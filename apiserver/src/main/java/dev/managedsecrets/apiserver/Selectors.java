package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Label selectors (=, ==, !=, in, notin, key, !key) and field selectors (=, ==, != on any dotted
 * path, as the API server offers on the fields of each kind) over objects as JSON.
 */
final class Selectors {

  private static final Pattern SET =
      Pattern.compile("^\\s*([^\\s!=()]+)\\s+(in|notin)\\s+\\(([^)]*)\\)\\s*$");
  private static final Pattern COMPARE =
      Pattern.compile("^\\s*([^\\s!=]+)\\s*(==|=|!=)\\s*(.*?)\\s*$");
  private static final Pattern EXISTS = Pattern.compile("^\\s*(!?)\\s*([^\\s!=()]+)\\s*$");

  private Selectors() {}

  /** A predicate for {@code labelSelector}; everything matches a null or blank selector. */
  static Predicate<JsonNode> labels(String selector) {
    Predicate<JsonNode> all = o -> true;
    if (selector == null || selector.isBlank()) {
      return all;
    }
    for (String requirement : split(selector)) {
      all = all.and(labelRequirement(requirement));
    }
    return all;
  }

  private static Predicate<JsonNode> labelRequirement(String requirement) {
    Matcher m = SET.matcher(requirement);
    if (m.matches()) {
      String key = m.group(1);
      boolean in = m.group(2).equals("in");
      Set<String> values = Set.copyOf(trimmed(m.group(3).split(",")));
      return o -> {
        JsonNode v = o.path("metadata").path("labels").get(key);
        return in
            ? v != null && values.contains(v.asText())
            : v == null || !values.contains(v.asText());
      };
    }
    m = COMPARE.matcher(requirement);
    if (m.matches()) {
      String key = m.group(1);
      boolean equal = !m.group(2).equals("!=");
      String value = m.group(3);
      return o -> {
        JsonNode v = o.path("metadata").path("labels").get(key);
        boolean same = v != null && v.asText().equals(value);
        return equal == same;
      };
    }
    m = EXISTS.matcher(requirement);
    if (m.matches()) {
      boolean negated = !m.group(1).isEmpty();
      String key = m.group(2);
      return o -> o.path("metadata").path("labels").has(key) != negated;
    }
    throw ApiException.badRequest("unable to parse requirement: " + requirement);
  }

  /** A predicate for {@code fieldSelector}; a missing field compares as the empty string. */
  static Predicate<JsonNode> fields(String selector) {
    Predicate<JsonNode> all = o -> true;
    if (selector == null || selector.isBlank()) {
      return all;
    }
    for (String requirement : split(selector)) {
      Matcher m = COMPARE.matcher(requirement);
      if (!m.matches()) {
        throw ApiException.badRequest("invalid field selector: " + requirement);
      }
      String[] path = m.group(1).split("\\.");
      boolean equal = !m.group(2).equals("!=");
      String value = m.group(3);
      all =
          all.and(
              o -> {
                JsonNode n = o;
                for (String p : path) {
                  n = n.path(p);
                }
                String actual = n.isValueNode() ? n.asText() : "";
                return equal == actual.equals(value);
              });
    }
    return all;
  }

  /** Splits on the commas that are not inside the parentheses of a set. */
  private static List<String> split(String selector) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    out.add(selector.substring(start));
    return trimmed(out.toArray(String[]::new));
  }

  private static List<String> trimmed(String[] parts) {
    List<String> out = new ArrayList<>();
    for (String p : parts) {
      if (!p.isBlank()) {
        out.add(p.trim());
      }
    }
    return out;
  }
}
