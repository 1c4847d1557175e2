package dev.managedsecrets.operator.sealing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An equality-based label selector as kubectl writes it: requirements separated by commas, each
 * {@code key=value}, {@code key==value}, {@code key!=value}, {@code key} (the label exists) or
 * {@code !key} (it does not). All must hold.
 */
public final class NamespaceSelector {

  private static final Pattern KEY =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final Pattern VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

  private record Requirement(String key, String value, boolean equal) {
    boolean holds(Map<String, String> labels) {
      String actual = labels.get(key);
      if (value == null) {
        return equal == (actual != null);
      }
      return equal == value.equals(actual);
    }
  }

  private final String text;
  private final List<Requirement> requirements;

  private NamespaceSelector(String text, List<Requirement> requirements) {
    this.text = text;
    this.requirements = requirements;
  }

  /**
   * Reads a selector.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static NamespaceSelector parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a selector has at least one requirement");
    }
    List<Requirement> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.strip();
      Requirement r;
      if (p.contains("!=")) {
        r = new Requirement(key(p.substring(0, p.indexOf("!="))), value(p, "!="), false);
      } else if (p.contains("==")) {
        r = new Requirement(key(p.substring(0, p.indexOf("=="))), value(p, "=="), true);
      } else if (p.contains("=")) {
        r = new Requirement(key(p.substring(0, p.indexOf('='))), value(p, "="), true);
      } else if (p.startsWith("!")) {
        r = new Requirement(key(p.substring(1)), null, false);
      } else {
        r = new Requirement(key(p), null, true);
      }
      out.add(r);
    }
    return new NamespaceSelector(text.strip(), List.copyOf(out));
  }

  public boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    return requirements.stream().allMatch(r -> r.holds(l));
  }

  private static String key(String key) {
    String k = key.strip();
    if (!KEY.matcher(k).matches()) {
      throw new IllegalArgumentException("'" + k + "' is not a label key");
    }
    return k;
  }

  private static String value(String part, String operator) {
    String v = part.substring(part.indexOf(operator) + operator.length()).strip();
    if (!VALUE.matcher(v).matches()) {
      throw new IllegalArgumentException("'" + v + "' is not a label value");
    }
    return v;
  }

  @Override
  public String toString() {
    return text;
  }
}
