package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The patch types of PATCH requests other than server-side apply: JSON patch (RFC 6902), JSON merge
 * patch (RFC 7386) and strategic merge patch, the latter as a merge patch that merges the lists
 * kubectl patches by their merge key and honours the $patch and $deleteFromPrimitiveList
 * directives.
 */
final class Patches {

  static final String JSON_PATCH = "application/json-patch+json";
  static final String MERGE_PATCH = "application/merge-patch+json";
  static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  static final String APPLY_PATCH = "application/apply-patch+yaml";

  /** Lists merged by a key in strategic merge patches, by field name (as in the core types). */
  private static final Map<String, String> MERGE_KEYS =
      Map.ofEntries(
          Map.entry("containers", "name"),
          Map.entry("initContainers", "name"),
          Map.entry("env", "name"),
          Map.entry("volumes", "name"),
          Map.entry("volumeMounts", "mountPath"),
          Map.entry("ports", "containerPort"),
          Map.entry("imagePullSecrets", "name"),
          Map.entry("secrets", "name"),
          Map.entry("ownerReferences", "uid"),
          Map.entry("conditions", "type"),
          Map.entry("tolerations", "key"));

  /** Lists of scalars that strategic merge patches merge as sets. */
  private static final List<String> MERGED_SETS = List.of("finalizers");

  private Patches() {}

  static JsonNode apply(String contentType, JsonNode current, JsonNode patch) {
    String type = contentType == null ? JSON_PATCH : contentType.split(";")[0].trim();
    return switch (type) {
      case JSON_PATCH -> jsonPatch(current, patch);
      case MERGE_PATCH -> mergePatch(current, patch);
      case STRATEGIC_MERGE_PATCH -> strategicMerge(current, patch, null);
      default ->
          throw ApiException.unsupportedMediaType(
              "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
    };
  }

  private static JsonNode jsonPatch(JsonNode current, JsonNode patch) {
    try {
      return JsonPatch.apply(patch, current);
    } catch (JsonPatchException | IllegalArgumentException e) {
      throw ApiException.ofCode(
          422, "the server rejected our request due to an error in our request: " + e.getMessage());
    }
  }

  /** RFC 7386: objects merge, null removes, everything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
      }
    }
    return result;
  }

  private static JsonNode strategicMerge(JsonNode target, JsonNode patch, String field) {
    if (patch.isArray()) {
      return mergeList(target, (ArrayNode) patch, field);
    }
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    if ("replace".equals(patch.path("$patch").asText())) {
      ObjectNode copy = patch.deepCopy();
      copy.remove("$patch");
      return copy;
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (key.startsWith("$deleteFromPrimitiveList/")) {
        String list = key.substring(key.indexOf('/') + 1);
        if (result.get(list) instanceof ArrayNode values) {
          for (JsonNode removed : e.getValue()) {
            for (int i = values.size() - 1; i >= 0; i--) {
              if (values.get(i).equals(removed)) {
                values.remove(i);
              }
            }
          }
        }
      } else if (key.startsWith("$")) {
        continue; // $setElementOrder, $retainKeys, $patch: ordering and bookkeeping only
      } else if (e.getValue().isNull()) {
        result.remove(key);
      } else {
        result.set(key, strategicMerge(result.get(key), e.getValue(), key));
      }
    }
    return result;
  }

  private static JsonNode mergeList(JsonNode target, ArrayNode patch, String field) {
    String mergeKey = MERGE_KEYS.get(field);
    if (!(target instanceof ArrayNode current)) {
      return withoutDirectives(patch);
    }
    if (MERGED_SETS.contains(field)) {
      ArrayNode result = current.deepCopy();
      for (JsonNode v : patch) {
        if (!contains(result, v)) {
          result.add(v.deepCopy());
        }
      }
      return result;
    }
    if (mergeKey == null) {
      return withoutDirectives(patch);
    }
    ArrayNode result = current.deepCopy();
    for (JsonNode element : patch) {
      JsonNode key = element.get(mergeKey);
      int at = indexOf(result, mergeKey, key);
      if ("delete".equals(element.path("$patch").asText())) {
        if (at >= 0) {
          result.remove(at);
        }
      } else if (at >= 0) {
        result.set(at, strategicMerge(result.get(at), element, null));
      } else {
        result.add(strategicMerge(null, element, null));
      }
    }
    return result;
  }

  private static ArrayNode withoutDirectives(ArrayNode list) {
    ArrayNode out = list.arrayNode();
    for (JsonNode e : list) {
      if (!(e.isObject() && e.has("$patch"))) {
        out.add(e.deepCopy());
      }
    }
    return out;
  }

  private static boolean contains(ArrayNode list, JsonNode value) {
    for (JsonNode v : list) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(ArrayNode list, String key, JsonNode value) {
    for (int i = 0; i < list.size(); i++) {
      if (value != null && value.equals(list.get(i).get(key))) {
        return i;
      }
    }
    return -1;
  }
}
