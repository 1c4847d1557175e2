package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Field ownership as the API server keeps it in metadata.managedFields, and server-side apply on
 * top of it: an apply sets the fields its manager sends, removes those that manager sent before and
 * no longer sends (unless another manager owns them too), and refuses to change a field another
 * manager set to another value unless forced. Lists are atomic (as in CRDs without list-type
 * markers): a list is one field.
 */
final class ManagedFields {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Fields nobody owns: identity and bookkeeping the server sets. */
  private static final Set<String> SERVER_FIELDS =
      Set.of(
          "apiVersion",
          "kind",
          "metadata/name",
          "metadata/namespace",
          "metadata/uid",
          "metadata/resourceVersion",
          "metadata/generation",
          "metadata/creationTimestamp",
          "metadata/deletionTimestamp",
          "metadata/deletionGracePeriodSeconds",
          "metadata/managedFields",
          "metadata/selfLink");

  /** One entry of metadata.managedFields. */
  private record Entry(
      String manager,
      String operation,
      String apiVersion,
      String time,
      String subresource,
      Set<List<String>> fields) {

    boolean same(String manager, String operation, String subresource) {
      return this.manager.equals(manager)
          && this.operation.equals(operation)
          && Objects.equals(this.subresource, subresource);
    }
  }

  private ManagedFields() {}

  /**
   * Server-side apply of {@code applied} by {@code manager} on {@code current} (null: create).
   * Answers the object to store, with its managedFields.
   */
  static ObjectNode apply(
      JsonNode current,
      ObjectNode applied,
      String manager,
      boolean force,
      String subresource,
      Instant now,
      ResourceType type) {
    ObjectNode result = current == null ? NODES.objectNode() : ((ObjectNode) current).deepCopy();
    List<Entry> entries = entries(current);
    Set<List<String>> sent = leaves(applied, subresource);
    Entry previous =
        entries.stream()
            .filter(e -> e.same(manager, "Apply", subresource))
            .findFirst()
            .orElse(null);
    List<ApiException.Cause> conflicts = new ArrayList<>();
    List<Entry> others = new ArrayList<>();
    for (Entry e : entries) {
      if (e == previous) {
        continue;
      }
      Set<List<String>> kept = new LinkedHashSet<>(e.fields());
      for (List<String> path : sent) {
        for (List<String> owned : e.fields()) {
          if (overlaps(path, owned) && !Objects.equals(at(current, path), at(applied, path))) {
            if (force) {
              kept.remove(owned);
            } else {
              conflicts.add(
                  new ApiException.Cause(
                      "FieldManagerConflict",
                      "." + String.join(".", path),
                      "conflict with \""
                          + e.manager()
                          + "\""
                          + (e.operation().equals("Update") ? " using " + e.apiVersion() : "")));
            }
          }
        }
      }
      if (!kept.isEmpty()) {
        others.add(
            new Entry(e.manager(), e.operation(), e.apiVersion(), e.time(), e.subresource(), kept));
      }
    }
    if (!conflicts.isEmpty()) {
      throw ApiException.applyConflict(
          "Apply failed with "
              + conflicts.size()
              + " conflict"
              + (conflicts.size() == 1 ? "" : "s")
              + ": "
              + String.join(
                  "\n", conflicts.stream().map(c -> c.message() + ": " + c.field()).toList()),
          conflicts);
    }
    if (previous != null) {
      for (List<String> path : previous.fields()) {
        boolean ownedElsewhere =
            others.stream().anyMatch(e -> e.fields().stream().anyMatch(o -> overlaps(o, path)));
        if (!sent.contains(path) && !ownedElsewhere) {
          remove(result, path);
        }
      }
    }
    merge(result, applied, subresource);
    if (previous != null
        && previous.fields().equals(sent)
        && sameExceptManagedFields(current, result)) {
      // Nothing changes: as the API server does, keep the object as it is, managedFields and their
      // times included, so that nothing is written and the resourceVersion stays.
      return ((ObjectNode) current).deepCopy();
    }
    others.add(
        new Entry(
            manager, "Apply", applied.path("apiVersion").asText(), time(now), subresource, sent));
    write(result, others);
    return result;
  }

  /**
   * Records a create or update by {@code manager}: the fields it changed become its own and no
   * longer another manager's. Nothing is recorded when the object did not change.
   */
  static void recordUpdate(
      JsonNode old, ObjectNode updated, String manager, String subresource, Instant now) {
    List<Entry> entries = entries(old);
    Set<List<String>> before = old == null ? Set.of() : leaves(old, subresource);
    Set<List<String>> after = leaves(updated, subresource);
    Set<List<String>> changed = new LinkedHashSet<>();
    for (List<String> path : after) {
      if (!before.contains(path) || !Objects.equals(at(old, path), at(updated, path))) {
        changed.add(path);
      }
    }
    Set<List<String>> gone = new LinkedHashSet<>(before);
    gone.removeAll(after);
    if (changed.isEmpty() && gone.isEmpty()) {
      if (old != null) {
        updated
            .withObjectProperty("metadata")
            .set("managedFields", old.at("/metadata/managedFields").deepCopy());
        if (updated.at("/metadata/managedFields").isMissingNode()) {
          ((ObjectNode) updated.get("metadata")).remove("managedFields");
        }
      }
      return;
    }
    List<Entry> out = new ArrayList<>();
    Set<List<String>> mine = new LinkedHashSet<>();
    for (Entry e : entries) {
      Set<List<String>> kept = new LinkedHashSet<>();
      for (List<String> owned : e.fields()) {
        boolean lost =
            changed.stream().anyMatch(c -> overlaps(c, owned))
                || gone.stream().anyMatch(g -> overlaps(g, owned));
        if (!lost) {
          kept.add(owned);
        }
      }
      if (e.same(manager, "Update", subresource)) {
        mine.addAll(kept);
      } else if (!kept.isEmpty()) {
        out.add(
            new Entry(e.manager(), e.operation(), e.apiVersion(), e.time(), e.subresource(), kept));
      }
    }
    mine.addAll(changed);
    out.add(
        new Entry(
            manager, "Update", updated.path("apiVersion").asText(), time(now), subresource, mine));
    write(updated, out);
  }

  private static boolean sameExceptManagedFields(JsonNode a, JsonNode b) {
    ObjectNode x = ((ObjectNode) a).deepCopy();
    ObjectNode y = ((ObjectNode) b).deepCopy();
    x.withObjectProperty("metadata").remove("managedFields");
    y.withObjectProperty("metadata").remove("managedFields");
    return x.equals(y);
  }

  private static boolean overlaps(List<String> a, List<String> b) {
    int n = Math.min(a.size(), b.size());
    return a.subList(0, n).equals(b.subList(0, n));
  }

  private static String time(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The leaf fields of an object, as paths of property names; lists and empty maps are leaves. */
  private static Set<List<String>> leaves(JsonNode object, String subresource) {
    Set<List<String>> out = new LinkedHashSet<>();
    collect(object, new ArrayList<>(), out);
    out.removeIf(
        p ->
            SERVER_FIELDS.contains(String.join("/", p.subList(0, Math.min(2, p.size()))))
                || SERVER_FIELDS.contains(p.get(0))
                || ("status".equals(subresource) != p.get(0).equals("status")));
    return out;
  }

  private static void collect(JsonNode node, List<String> path, Set<List<String>> out) {
    if (node.isObject() && node.size() > 0) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        path.add(e.getKey());
        collect(e.getValue(), path, out);
        path.remove(path.size() - 1);
      }
    } else if (!path.isEmpty() && !node.isNull()) {
      out.add(List.copyOf(path));
    }
  }

  private static JsonNode at(JsonNode root, List<String> path) {
    JsonNode n = root;
    for (String p : path) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(p);
    }
    return n;
  }

  private static void remove(ObjectNode root, List<String> path) {
    JsonNode n = root;
    for (String p : path.subList(0, path.size() - 1)) {
      n = n.get(p);
      if (n == null || !n.isObject()) {
        return;
      }
    }
    ((ObjectNode) n).remove(path.get(path.size() - 1));
  }

  /** Objects merge; lists and scalars replace. Only the fields of the subresource are taken. */
  private static void merge(ObjectNode target, JsonNode applied, String subresource) {
    for (Iterator<Map.Entry<String, JsonNode>> it = applied.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (key.equals("status") != "status".equals(subresource)
          && !(key.equals("metadata") || key.equals("apiVersion") || key.equals("kind"))) {
        continue;
      }
      mergeInto(target, key, e.getValue());
    }
  }

  private static void mergeInto(ObjectNode target, String key, JsonNode value) {
    JsonNode existing = target.get(key);
    if (value.isObject() && existing != null && existing.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!(key.equals("metadata") && e.getKey().equals("managedFields"))) {
          mergeInto((ObjectNode) existing, e.getKey(), e.getValue());
        }
      }
    } else if (!value.isNull()) {
      target.set(key, value.deepCopy());
    }
  }

  private static List<Entry> entries(JsonNode object) {
    List<Entry> out = new ArrayList<>();
    if (object == null) {
      return out;
    }
    for (JsonNode e : object.at("/metadata/managedFields")) {
      Set<List<String>> fields = new LinkedHashSet<>();
      decode(e.path("fieldsV1"), new ArrayList<>(), fields);
      out.add(
          new Entry(
              e.path("manager").asText(),
              e.path("operation").asText("Update"),
              e.path("apiVersion").asText(),
              e.path("time").asText(null),
              e.hasNonNull("subresource") ? e.get("subresource").asText() : null,
              fields));
    }
    return out;
  }

  /** FieldsV1: {"f:spec":{"f:x":{}}}; "." marks a map itself; k:/v:/i: entries own a list. */
  private static void decode(JsonNode node, List<String> path, Set<List<String>> out) {
    boolean leaf = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      if (k.startsWith("f:")) {
        leaf = false;
        path.add(k.substring(2));
        decode(e.getValue(), path, out);
        path.remove(path.size() - 1);
      }
    }
    boolean listParts = false;
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      listParts |= k.startsWith("k:") || k.startsWith("v:") || k.startsWith("i:");
    }
    if ((leaf || listParts) && !path.isEmpty()) {
      out.add(List.copyOf(path));
    }
  }

  private static void write(ObjectNode object, List<Entry> entries) {
    ArrayNode list = NODES.arrayNode();
    for (Entry e : entries) {
      ObjectNode n = list.addObject();
      n.put("manager", e.manager())
          .put("operation", e.operation())
          .put("apiVersion", e.apiVersion());
      if (e.time() != null) {
        n.put("time", e.time());
      }
      n.put("fieldsType", "FieldsV1");
      ObjectNode fields = n.putObject("fieldsV1");
      for (List<String> path : e.fields()) {
        ObjectNode at = fields;
        for (String p : path) {
          at = at.withObjectProperty("f:" + p);
        }
      }
      if (e.subresource() != null) {
        n.put("subresource", e.subresource());
      }
    }
    object.withObjectProperty("metadata").set("managedFields", list);
  }
}
