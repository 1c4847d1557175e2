package dev.managedsecrets.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Write counts by method and resource as the server counted them, per ManagedSecret. */
final class WriteCounts {

  private WriteCounts() {}

  /** One line: each kind's writes per object, and their total. */
  static String line(Map<String, Integer> writes, int objects) {
    StringBuilder out = new StringBuilder();
    long total = 0;
    for (Map.Entry<String, Integer> e : new TreeMap<>(writes).entrySet()) {
      out.append(String.format("%s %s; ", e.getKey(), perObject(e.getValue(), objects)));
      total += e.getValue();
    }
    return out.append(String.format("total %s", perObject(total, objects))).toString();
  }

  static String perObject(long writes, int objects) {
    return String.format("%.2f", (double) writes / objects);
  }

  /**
   * A Markdown table: one row per kind of write, one column per measurement ({@code columns} are
   * the headings, {@code counts} each column's writes, {@code objects} each column's number of
   * ManagedSecrets); the last row the totals.
   */
  static String table(
      List<String> columns, List<Map<String, Integer>> counts, List<Integer> objects) {
    TreeMap<String, Boolean> kinds = new TreeMap<>();
    counts.forEach(c -> c.keySet().forEach(k -> kinds.put(k, true)));
    StringBuilder out = new StringBuilder("| Writes per ManagedSecret |");
    columns.forEach(c -> out.append(' ').append(c).append(" |"));
    out.append("\n|---|").append("---|".repeat(columns.size())).append('\n');
    for (String kind : kinds.keySet()) {
      out.append("| `").append(kind).append("` |");
      for (int i = 0; i < columns.size(); i++) {
        Integer w = counts.get(i).get(kind);
        out.append(' ').append(w == null ? "" : perObject(w, objects.get(i))).append(" |");
      }
      out.append('\n');
    }
    out.append("| **total** |");
    for (int i = 0; i < columns.size(); i++) {
      long total = counts.get(i).values().stream().mapToLong(Integer::longValue).sum();
      out.append(" **").append(perObject(total, objects.get(i))).append("** |");
    }
    return out.append('\n').toString();
  }
}
