package dev.managedsecrets.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The AWS CLI's {@code --output table}: a section titled with the operation's name; an object's
 * scalars as one row under a header of their (sorted) keys, or as a key/value row when there is
 * one; a list of objects as rows under the union of their keys; nested lists and objects as
 * indented sections titled with their key. Columns are scaled to the widest section. Unlike the AWS
 * CLI it never turns a wide table vertical for a narrow terminal.
 */
public final class Table {

  private static final class Section {
    String title = "";
    List<String> headers = new ArrayList<>();
    final List<List<String>> rows = new ArrayList<>();
    int indent;
    final List<Integer> maxWidths = new ArrayList<>();

    void header(List<String> h) {
      widen(h);
      headers = h;
    }

    void row(List<String> r) {
      rows.add(r);
      widen(r);
    }

    private void widen(List<String> cells) {
      for (int i = 0; i < cells.size(); i++) {
        int w = cells.get(i).length();
        if (i < maxWidths.size()) {
          maxWidths.set(i, Math.max(maxWidths.get(i), w));
        } else {
          maxWidths.add(w);
        }
      }
    }

    int totalWidth() {
      int total = 0;
      for (int w : maxWidths) {
        total += w + 4;
      }
      total += 2 + 2 * indent;
      return Math.max(title.length() + 2 + 2 * indent, total);
    }

    List<Integer> columnWidths(int maxWidth) {
      List<Integer> unscaled = new ArrayList<>();
      int sum = 0;
      for (int w : maxWidths) {
        unscaled.add(w + 4);
        sum += w + 4;
      }
      if (unscaled.isEmpty()) {
        return unscaled;
      }
      double scale = maxWidth / (double) sum;
      List<Integer> scaled = new ArrayList<>();
      int total = 0;
      for (int w : unscaled) {
        int s = (int) Math.rint(scale * w);
        scaled.add(s);
        total += s;
      }
      int off = total - maxWidth;
      while (off != 0) {
        if (off > 0) {
          for (int i = 0; i < scaled.size() && off != 0; i++) {
            scaled.set(i, scaled.get(i) - 1);
            off--;
          }
        } else {
          for (int i = scaled.size() - 1; i >= 0 && off != 0; i--) {
            scaled.set(i, scaled.get(i) + 1);
            off++;
          }
        }
      }
      return scaled;
    }
  }

  private final List<Section> sections = new ArrayList<>();
  private Section current;

  private Table() {}

  public static String print(String title, JsonNode response) {
    Table table = new Table();
    if (!table.build(title, response, 0)) {
      return "";
    }
    return table.render();
  }

  private boolean build(String title, JsonNode node, int indent) {
    if (falsy(node)) {
      return false;
    }
    if (title != null) {
      current = new Section();
      current.title = title;
      current.indent = indent;
      sections.add(current);
    }
    if (current == null) {
      current = new Section();
      sections.add(current);
    }
    if (node.isArray()) {
      if (node.get(0).isObject()) {
        fromList(node, indent, title);
      } else {
        for (JsonNode item : node) {
          if (!item.isContainerNode()) {
            current.row(List.of(Text.scalar(item)));
          } else if (allScalars(item)) {
            List<String> row = new ArrayList<>();
            item.forEach(e -> row.add(Text.scalar(e)));
            current.row(row);
          } else {
            build(null, item, 0);
          }
        }
      }
    } else if (node.isObject()) {
      fromObject(node, indent);
    } else {
      current.row(List.of(Text.scalar(node)));
    }
    return true;
  }

  private void fromObject(JsonNode node, int indent) {
    List<String> headers = new ArrayList<>();
    List<String> more = new ArrayList<>();
    for (String key : new TreeSet<>(names(node))) {
      (node.get(key).isContainerNode() ? more : headers).add(key);
    }
    if (headers.size() == 1) {
      current.row(List.of(headers.get(0), Text.scalar(node.get(headers.get(0)))));
    } else if (!headers.isEmpty()) {
      current.header(headers);
      List<String> row = new ArrayList<>();
      headers.forEach(h -> row.add(Text.scalar(node.get(h))));
      current.row(row);
    }
    for (String key : more) {
      build(key, node.get(key), indent + 1);
    }
  }

  private void fromList(JsonNode list, int indent, String title) {
    TreeSet<String> headerSet = new TreeSet<>();
    TreeSet<String> moreSet = new TreeSet<>();
    for (JsonNode item : list) {
      for (String key : names(item)) {
        (item.get(key).isContainerNode() ? moreSet : headerSet).add(key);
      }
    }
    List<String> headers = new ArrayList<>(headerSet);
    current.header(headers);
    boolean first = true;
    for (JsonNode item : list) {
      if (!first && !moreSet.isEmpty()) {
        current = new Section();
        current.title = title == null ? "" : title;
        current.indent = indent;
        sections.add(current);
        current.header(headers);
      }
      first = false;
      List<String> row = new ArrayList<>();
      for (String h : headers) {
        row.add(item.has(h) ? Text.scalar(item.get(h)) : "");
      }
      current.row(row);
      for (String key : moreSet) {
        if (item.has(key)) {
          build(key, item.get(key), indent + 1);
        }
      }
    }
  }

  private String render() {
    int maxWidth = 0;
    for (Section s : sections) {
      maxWidth = Math.max(maxWidth, s.totalWidth());
    }
    StringBuilder out = new StringBuilder();
    out.append("-".repeat(maxWidth)).append('\n');
    for (Section s : sections) {
      int width = maxWidth - 2 * s.indent;
      List<String> lines = new ArrayList<>();
      if (!s.title.isEmpty()) {
        lines.add(center(s.title, width, "|", "|"));
        if (s.headers.isEmpty() && s.rows.isEmpty()) {
          lines.add("+" + "-".repeat(Math.max(0, width - 2)) + "+");
        }
      }
      if (!s.headers.isEmpty()) {
        List<Integer> widths = s.columnWidths(width);
        lines.add(lineBreak(widths));
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < widths.size() && i < s.headers.size(); i++) {
          h.append(center(s.headers.get(i), widths.get(i), i == 0 ? "|" : "", "|"));
        }
        lines.add(h.toString());
      }
      if (!s.rows.isEmpty()) {
        List<Integer> widths = s.columnWidths(width);
        if (!widths.isEmpty()) {
          lines.add(lineBreak(widths));
          for (List<String> row : s.rows) {
            StringBuilder r = new StringBuilder();
            for (int i = 0; i < widths.size() && i < row.size(); i++) {
              r.append(alignLeft(row.get(i), widths.get(i), i == 0 ? "|" : "", "|"));
            }
            lines.add(r.toString());
          }
          lines.add(lineBreak(widths));
        }
      }
      String edge = "|".repeat(s.indent);
      for (String line : lines) {
        out.append(edge).append(line).append(edge).append('\n');
      }
    }
    return out.toString();
  }

  private static String center(String text, int length, String left, String right) {
    int start = Math.floorDiv(length, 2) - Math.floorDiv(text.length(), 2) - 1;
    int soFar = left.length() + start + text.length();
    int rightSpaces = length - right.length() - soFar;
    return left
        + " ".repeat(Math.max(0, start))
        + text
        + " ".repeat(Math.max(0, rightSpaces))
        + right;
  }

  private static String alignLeft(String text, int length, String left, String right) {
    int computed = text.length() + 2 + left.length() + right.length();
    int padding = length - computed >= 0 ? 2 : 0;
    int soFar = left.length() + padding + text.length();
    return left
        + " ".repeat(padding)
        + text
        + " ".repeat(Math.max(0, length - soFar - right.length()))
        + right;
  }

  private static String lineBreak(List<Integer> widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < widths.size(); i++) {
      b.append(
          i == 0
              ? "+" + "-".repeat(Math.max(0, widths.get(i) - 2)) + "+"
              : "-".repeat(Math.max(0, widths.get(i) - 1)) + "+");
    }
    return b.toString();
  }

  private static boolean falsy(JsonNode n) {
    return n == null
        || n.isNull()
        || n.isMissingNode()
        || (n.isContainerNode() && n.isEmpty())
        || (n.isTextual() && n.textValue().isEmpty())
        || (n.isBoolean() && !n.booleanValue())
        || (n.isNumber() && n.doubleValue() == 0);
  }

  private static boolean allScalars(JsonNode list) {
    for (JsonNode e : list) {
      if (e.isContainerNode()) {
        return false;
      }
    }
    return true;
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
