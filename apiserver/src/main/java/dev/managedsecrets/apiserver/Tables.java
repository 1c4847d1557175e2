package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server-side printing: the meta.k8s.io/v1 Table that {@code kubectl get} asks for. Custom kinds
 * get the CRD's additionalPrinterColumns; built-in kinds the columns a cluster shows for them.
 */
final class Tables {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A column: its definition and how a cell is read from an object. */
  private record Column(
      String name, String type, String format, int priority, Function<JsonNode, Object> cell) {}

  private Tables() {}

  /** True when the Accept header asks for a Table. */
  static boolean wanted(String accept) {
    return accept != null && accept.contains("as=Table");
  }

  /** The Table of a list (items) or of one object. */
  static JsonNode of(ResourceType type, JsonNode listOrObject, Instant now) {
    List<Column> columns = columns(type, now);
    ObjectNode table =
        JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    ObjectNode meta = table.putObject("metadata");
    String rv = listOrObject.path("metadata").path("resourceVersion").asText("");
    if (!rv.isEmpty()) {
      meta.put("resourceVersion", rv);
    }
    ArrayNode defs = table.putArray("columnDefinitions");
    for (Column c : columns) {
      defs.addObject()
          .put("name", c.name())
          .put("type", c.type())
          .put("format", c.format())
          .put("description", c.name())
          .put("priority", c.priority());
    }
    ArrayNode rows = table.putArray("rows");
    List<JsonNode> items = new ArrayList<>();
    if (listOrObject.has("items")) {
      listOrObject.path("items").forEach(items::add);
    } else {
      items.add(listOrObject);
    }
    for (JsonNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (Column c : columns) {
        cells.addPOJO(c.cell().apply(item));
      }
      ObjectNode object = row.putObject("object");
      object.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
      object.set("metadata", item.path("metadata").deepCopy());
    }
    return table;
  }

  private static List<Column> columns(ResourceType type, Instant now) {
    List<Column> cols = new ArrayList<>();
    cols.add(new Column("Name", "string", "name", 0, o -> text(o.at("/metadata/name"))));
    Column age =
        new Column("Age", "string", "", 0, o -> age(o.at("/metadata/creationTimestamp"), now));
    if (type.isCustom()) {
      JsonNode printer = type.crdVersion().path("additionalPrinterColumns");
      if (printer.isEmpty()) {
        cols.add(age);
      }
      for (JsonNode c : printer) {
        String jsonPath = c.path("jsonPath").asText();
        String colType = c.path("type").asText("string");
        cols.add(
            new Column(
                c.path("name").asText(),
                colType,
                c.path("format").asText(""),
                c.path("priority").asInt(0),
                o -> cell(colType, JsonPaths.first(o, jsonPath), now)));
      }
      return cols;
    }
    switch (type.kind()) {
      case "Secret" -> {
        cols.add(new Column("Type", "string", "", 0, o -> text(o.path("type"))));
        cols.add(new Column("Data", "integer", "", 0, o -> o.path("data").size()));
      }
      case "ConfigMap" ->
          cols.add(
              new Column(
                  "Data",
                  "integer",
                  "",
                  0,
                  o -> o.path("data").size() + o.path("binaryData").size()));
      case "Namespace" ->
          cols.add(
              new Column("Status", "string", "", 0, o -> o.at("/status/phase").asText("Active")));
      case "Lease" ->
          cols.add(new Column("Holder", "string", "", 0, o -> text(o.at("/spec/holderIdentity"))));
      case "Event" -> {
        cols.clear();
        cols.add(
            new Column(
                "Last Seen",
                "string",
                "",
                0,
                o ->
                    age(
                        o.path("lastTimestamp").isTextual()
                            ? o.path("lastTimestamp")
                            : o.path("eventTime"),
                        now)));
        cols.add(new Column("Type", "string", "", 0, o -> text(o.path("type"))));
        cols.add(new Column("Reason", "string", "", 0, o -> text(o.path("reason"))));
        cols.add(
            new Column(
                "Object",
                "string",
                "",
                0,
                o ->
                    o.at("/involvedObject/kind").asText().toLowerCase(Locale.ROOT)
                        + "/"
                        + o.at("/involvedObject/name").asText()));
        cols.add(new Column("Message", "string", "", 0, o -> text(o.path("message"))));
        cols.add(new Column("Name", "string", "name", 1, o -> text(o.at("/metadata/name"))));
        return cols;
      }
      case "PodDisruptionBudget" -> {
        cols.add(
            new Column("Min Available", "string", "", 0, o -> orNa(o.at("/spec/minAvailable"))));
        cols.add(
            new Column(
                "Max Unavailable", "string", "", 0, o -> orNa(o.at("/spec/maxUnavailable"))));
        cols.add(
            new Column(
                "Allowed Disruptions",
                "integer",
                "",
                0,
                o -> o.at("/status/disruptionsAllowed").asLong(0)));
      }
      case "NetworkPolicy" ->
          cols.add(
              new Column(
                  "Pod-Selector", "string", "", 0, o -> selector(o.at("/spec/podSelector"))));
      case "CustomResourceDefinition" -> {
        cols.add(
            new Column(
                "Created At", "date", "", 0, o -> text(o.at("/metadata/creationTimestamp"))));
        return cols;
      }
      default -> {}
    }
    cols.add(age);
    return cols;
  }

  private static Object cell(String type, JsonNode value, Instant now) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return null;
    }
    return switch (type) {
      case "integer" -> value.asLong();
      case "number" -> value.asDouble();
      case "boolean" -> value.asBoolean();
      case "date" -> age(value, now);
      default -> value.isValueNode() ? value.asText() : value.toString();
    };
  }

  /** An int-or-string field as kubectl shows it: its value, or N/A when unset. */
  private static String orNa(JsonNode n) {
    return n.isValueNode() && !n.isNull() ? n.asText() : "N/A";
  }

  /**
   * A label selector as the API server prints it: k=v and expressions (k in (a,b), k notin (a), k,
   * !k) joined by commas, or {@code <none>} when it selects everything.
   */
  static String selector(JsonNode selector) {
    // Requirements sorted by key, as labels.Selector's String() has them.
    TreeMap<String, List<String>> byKey = new TreeMap<>();
    selector
        .path("matchLabels")
        .fields()
        .forEachRemaining(
            e ->
                byKey
                    .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                    .add(e.getKey() + "=" + e.getValue().asText()));
    for (JsonNode e : selector.path("matchExpressions")) {
      String key = e.path("key").asText();
      List<String> values = new ArrayList<>();
      e.path("values").forEach(v -> values.add(v.asText()));
      values.sort(null);
      String joined = "(" + String.join(",", values) + ")";
      String operator = e.path("operator").asText();
      String requirement =
          switch (operator) {
            case "In" -> key + " in " + joined;
            case "NotIn" -> key + " notin " + joined;
            case "Exists" -> key;
            case "DoesNotExist" -> "!" + key;
            default -> key + " " + operator + " " + joined;
          };
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(requirement);
    }
    List<String> parts = new ArrayList<>();
    byKey.values().forEach(parts::addAll);
    return parts.isEmpty() ? "<none>" : String.join(",", parts);
  }

  private static String text(JsonNode n) {
    return n.isValueNode() ? n.asText() : "";
  }

  private static String age(JsonNode timestamp, Instant now) {
    if (!timestamp.isTextual()) {
      return "<unknown>";
    }
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp.asText()), now));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  /** The API server's rendering of an age: 45s, 3m20s, 15m, 5h, 3d, 2y. */
  static String humanDuration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + (seconds % 60) + "s";
    } else if (minutes < 180) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      return minutes % 60 == 0 ? hours + "h" : hours + "h" + (minutes % 60) + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + (hours % 24) + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long days = (hours / 24) % 365;
      return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
    }
    return hours / 24 / 365 + "y";
  }

  /** The JSONPath subset that printer columns use: .a.b, .a[0], .a[?(@.k=="v")].b. */
  static final class JsonPaths {
    private static final Pattern STEP =
        Pattern.compile(
            "\\.([^.\\[]+)|\\[(\\d+)]|\\[\\?\\(@\\.([^=!]+)\\s*==\\s*[\"']([^\"']*)[\"']\\)]");

    private JsonPaths() {}

    static JsonNode first(JsonNode root, String path) {
      String p = path.trim();
      if (p.startsWith("{") && p.endsWith("}")) {
        p = p.substring(1, p.length() - 1);
      }
      if (p.startsWith("$")) {
        p = p.substring(1);
      }
      JsonNode n = root;
      Matcher m = STEP.matcher(p);
      int at = 0;
      while (m.find() && m.start() == at) {
        at = m.end();
        if (m.group(1) != null) {
          n = n.path(m.group(1));
        } else if (m.group(2) != null) {
          n = n.path(Integer.parseInt(m.group(2)));
        } else {
          JsonNode found = null;
          for (JsonNode e : n) {
            if (e.path(m.group(3).trim()).asText().equals(m.group(4))) {
              found = e;
              break;
            }
          }
          if (found == null) {
            return null;
          }
          n = found;
        }
      }
      return at == p.length() ? n : null;
    }
  }
}
