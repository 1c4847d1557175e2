package dev.managedsecrets.cli.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.rotation.RotationRequests;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two ways the AWS CLI reads a list of structures: JSON ({@code [{"Key":"k","Value":"v"}]}) or
 * shorthand, one structure per argument ({@code Key=k,Value=v Key=k2,Value=v2}). In shorthand a
 * value may be quoted ({@code Value="a,b"}), a character escaped with {@code \}, and a list given
 * as {@code Values=a,b} or {@code Values=[a,b]}. Every argument may be file://path.
 */
public final class Shorthand {

  /** A --filters entry. */
  public record Filter(String key, List<String> values) {}

  private Shorthand() {}

  public static List<Tag> tags(String option, List<String> args) {
    List<Tag> tags = new ArrayList<>();
    for (Map<String, List<String>> s : structures(option, args)) {
      List<String> key = s.get("Key");
      if (key == null || key.size() != 1) {
        throw CliException.parameter(option, "each tag needs one Key (Key=k,Value=v)");
      }
      List<String> value = s.getOrDefault("Value", List.of(""));
      if (value.size() != 1) {
        throw CliException.parameter(option, "each tag has one Value (Key=k,Value=v)");
      }
      unknown(option, s, "Key", "Value");
      tags.add(new Tag(key.get(0), value.get(0)));
    }
    return tags;
  }

  public static List<Filter> filters(String option, List<String> args) {
    List<Filter> filters = new ArrayList<>();
    for (Map<String, List<String>> s : structures(option, args)) {
      List<String> key = s.get("Key");
      if (key == null || key.size() != 1) {
        throw CliException.parameter(option, "each filter needs one Key (Key=name,Values=prod/)");
      }
      unknown(option, s, "Key", "Values");
      filters.add(new Filter(key.get(0), s.getOrDefault("Values", List.of())));
    }
    return filters;
  }

  /**
   * --add-replica-regions: {@code Region=eu-west-1,KmsKeyId=alias/k} per argument, or JSON ({@code
   * [{"Region":"eu-west-1"}]}). A Region missing is left null, for the rules to refuse.
   */
  public static List<ReplicaRegion> replicaRegions(String option, List<String> args) {
    List<ReplicaRegion> out = new ArrayList<>();
    for (Map<String, List<String>> s : structures(option, args)) {
      unknown(option, s, "Region", "KmsKeyId");
      out.add(new ReplicaRegion(one(option, s, "Region"), one(option, s, "KmsKeyId")));
    }
    return out;
  }

  /**
   * RotateSecret's --rotation-rules: JSON ({@code {"AutomaticallyAfterDays":30}}) or shorthand
   * ({@code AutomaticallyAfterDays=30,Duration=2h}, {@code ScheduleExpression="cron(0 4 1,15 * ?
   * *)"}: quote an expression with commas).
   */
  public static RotationRequests.Rules rotationRules(String option, String arg) {
    List<Map<String, List<String>>> all = structures(option, List.of(arg));
    if (all.size() != 1) {
      throw CliException.parameter(option, "expected one structure");
    }
    Map<String, List<String>> s = all.get(0);
    unknown(option, s, "AutomaticallyAfterDays", "Duration", "ScheduleExpression");
    String days = one(option, s, "AutomaticallyAfterDays");
    Integer afterDays;
    try {
      afterDays = days == null ? null : Integer.valueOf(days);
    } catch (NumberFormatException e) {
      throw CliException.parameter(option, "AutomaticallyAfterDays: expected an integer");
    }
    return new RotationRequests.Rules(
        afterDays, one(option, s, "ScheduleExpression"), one(option, s, "Duration"));
  }

  private static String one(String option, Map<String, List<String>> s, String key) {
    List<String> values = s.get(key);
    if (values == null) {
      return null;
    }
    if (values.size() != 1) {
      throw CliException.parameter(
          option, key + ": expected one value (quote a value that holds commas)");
    }
    return values.get(0);
  }

  /** A list of strings: the arguments themselves, or one JSON array. */
  public static List<String> strings(String option, List<String> args) {
    List<String> out = new ArrayList<>();
    for (String raw : args) {
      String arg = ParamFiles.text(option, raw).strip();
      if (arg.startsWith("[")) {
        JsonNode node = parse(option, arg);
        for (JsonNode e : node) {
          if (!e.isTextual()) {
            throw CliException.parameter(option, "expected a JSON list of strings");
          }
          out.add(e.textValue());
        }
      } else {
        out.add(arg);
      }
    }
    return out;
  }

  static List<Map<String, List<String>>> structures(String option, List<String> args) {
    List<Map<String, List<String>>> out = new ArrayList<>();
    for (String raw : args) {
      String arg = ParamFiles.text(option, raw).strip();
      if (arg.startsWith("[") || arg.startsWith("{")) {
        JsonNode node = parse(option, arg);
        if (node.isObject()) {
          out.add(fromJson(option, node));
        } else {
          for (JsonNode e : node) {
            if (!e.isObject()) {
              throw CliException.parameter(option, "expected a JSON list of objects");
            }
            out.add(fromJson(option, e));
          }
        }
      } else {
        out.add(parse(option, arg, true));
      }
    }
    return out;
  }

  private static Map<String, List<String>> fromJson(String option, JsonNode object) {
    Map<String, List<String>> s = new LinkedHashMap<>();
    object
        .fields()
        .forEachRemaining(
            f -> {
              List<String> values = new ArrayList<>();
              if (f.getValue().isArray()) {
                f.getValue().forEach(v -> values.add(v.asText()));
              } else if (f.getValue().isValueNode()) {
                values.add(f.getValue().asText());
              } else {
                throw CliException.parameter(
                    option, "unexpected value for " + f.getKey() + ": expected a string or a list");
              }
              s.put(f.getKey(), values);
            });
    return s;
  }

  private static JsonNode parse(String option, String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw CliException.parameter(
          option, "Invalid JSON: " + e.getOriginalMessage() + "\nJSON received: " + json);
    }
  }

  /** Parses {@code Key=k,Value=v} (and lists after a key) into key to values, in order. */
  static Map<String, List<String>> parse(String option, String text, boolean top) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String key = null;
    for (String segment : split(text, ',')) {
      int eq = unquotedIndex(segment, '=');
      if (eq > 0) {
        key = segment.substring(0, eq).strip();
        String value = segment.substring(eq + 1);
        List<String> values = new ArrayList<>();
        if (value.startsWith("[") && value.endsWith("]")) {
          String inner = value.substring(1, value.length() - 1);
          if (!inner.isEmpty()) {
            split(inner, ',').forEach(v -> values.add(unquote(v)));
          }
        } else {
          values.add(unquote(value));
        }
        if (out.containsKey(key)) {
          throw CliException.parameter(option, "Second instance of key \"" + key + "\"");
        }
        out.put(key, values);
      } else if (key != null) {
        out.get(key).add(unquote(segment));
      } else {
        throw CliException.parameter(
            option,
            "Expected: '=', received: end of input for input: "
                + (top ? "Key=...,Value=..." : text));
      }
    }
    return out;
  }

  /** Splits at {@code sep} outside quotes and brackets; backslash escapes the next character. */
  private static List<String> split(String text, char sep) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    int depth = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        cur.append(c).append(text.charAt(++i));
        continue;
      }
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
        cur.append(c);
        continue;
      }
      if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth--;
      } else if (c == sep && depth == 0) {
        parts.add(cur.toString());
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    parts.add(cur.toString());
    return parts;
  }

  private static int unquotedIndex(String s, char c) {
    for (int i = 0; i < s.length(); i++) {
      char x = s.charAt(i);
      if (x == '\\') {
        i++;
      } else if (x == '"' || x == '\'' || x == '[') {
        return -1;
      } else if (x == c) {
        return i;
      }
    }
    return -1;
  }

  /** Removes surrounding quotes and backslash escapes. */
  private static String unquote(String s) {
    String v = s.strip();
    if (v.length() >= 2
        && (v.charAt(0) == '"' || v.charAt(0) == '\'')
        && v.charAt(v.length() - 1) == v.charAt(0)) {
      return v.substring(1, v.length() - 1);
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        out.append(v.charAt(++i));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static void unknown(String option, Map<String, List<String>> s, String... known) {
    for (String k : s.keySet()) {
      if (!List.of(known).contains(k)) {
        throw CliException.parameter(
            option, "Unknown parameter \"" + k + "\", must be one of: " + String.join(", ", known));
      }
    }
  }
}
