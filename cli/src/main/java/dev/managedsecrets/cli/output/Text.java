package dev.managedsecrets.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The AWS CLI's {@code --output text}: the scalars of an object on one tab-separated line (keys in
 * sorted order), then each nested list or object, its lines led by its key in upper case; the
 * objects of a list share the sorted union of their scalar keys as columns.
 */
public final class Text {

  private Text() {}

  public static String print(JsonNode node) {
    StringBuilder out = new StringBuilder();
    format(node, out, null, null);
    return out.toString();
  }

  private static void format(
      JsonNode item, StringBuilder out, String identifier, List<String> scalarKeys) {
    if (item.isObject()) {
      formatObject(item, out, identifier, scalarKeys);
    } else if (item.isArray()) {
      formatList(item, out, identifier);
    } else {
      out.append(scalar(item)).append('\n');
    }
  }

  private static void formatList(JsonNode list, StringBuilder out, String identifier) {
    if (list.isEmpty()) {
      return;
    }
    boolean anyObject = false;
    boolean anyList = false;
    for (JsonNode e : list) {
      anyObject |= e.isObject();
      anyList |= e.isArray();
    }
    if (anyObject) {
      List<String> keys = allScalarKeys(list);
      for (JsonNode e : list) {
        format(e, out, identifier, keys);
      }
    } else if (anyList) {
      List<JsonNode> scalars = new ArrayList<>();
      List<JsonNode> others = new ArrayList<>();
      for (JsonNode e : list) {
        (e.isContainerNode() ? others : scalars).add(e);
      }
      if (!scalars.isEmpty()) {
        scalarList(scalars, out, identifier);
      }
      for (JsonNode e : others) {
        format(e, out, identifier, null);
      }
    } else {
      List<JsonNode> all = new ArrayList<>();
      list.forEach(all::add);
      scalarList(all, out, identifier);
    }
  }

  private static void scalarList(List<JsonNode> elements, StringBuilder out, String identifier) {
    if (identifier != null) {
      for (JsonNode e : elements) {
        out.append(identifier.toUpperCase(Locale.ROOT)).append('\t').append(scalar(e)).append('\n');
      }
    } else {
      List<String> texts = new ArrayList<>();
      elements.forEach(e -> texts.add(scalar(e)));
      out.append(String.join("\t", texts)).append('\n');
    }
  }

  private static void formatObject(
      JsonNode item, StringBuilder out, String identifier, List<String> scalarKeys) {
    List<String> scalars = new ArrayList<>();
    List<Map.Entry<String, JsonNode>> nested = new ArrayList<>();
    if (scalarKeys == null) {
      for (String key : new TreeSet<>(fieldNames(item))) {
        JsonNode v = item.get(key);
        if (v.isContainerNode()) {
          nested.add(Map.entry(key, v));
        } else {
          scalars.add(scalar(v));
        }
      }
    } else {
      for (String key : scalarKeys) {
        JsonNode v = item.get(key);
        scalars.add(v == null ? "" : scalar(v));
      }
      TreeSet<String> remaining = new TreeSet<>(fieldNames(item));
      remaining.removeAll(scalarKeys);
      for (String key : remaining) {
        nested.add(Map.entry(key, item.get(key)));
      }
    }
    if (!scalars.isEmpty()) {
      if (identifier != null) {
        scalars.add(0, identifier.toUpperCase(Locale.ROOT));
      }
      out.append(String.join("\t", scalars)).append('\n');
    }
    for (Map.Entry<String, JsonNode> e : nested) {
      format(e.getValue(), out, e.getKey(), null);
    }
  }

  private static List<String> allScalarKeys(JsonNode list) {
    TreeSet<String> keys = new TreeSet<>();
    for (JsonNode e : list) {
      if (e.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> it = e.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> f = it.next();
          if (!f.getValue().isContainerNode()) {
            keys.add(f.getKey());
          }
        }
      }
    }
    return new ArrayList<>(keys);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** A scalar as Python's str() shows it: True, False, None. */
  static String scalar(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "None";
    }
    if (v.isBoolean()) {
      return v.booleanValue() ? "True" : "False";
    }
    return v.asText();
  }
}
