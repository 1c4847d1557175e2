package dev.managedsecrets.cli.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.cli.output.Output;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A manifest as kubectl reads one: YAML with any number of documents, or JSON (one object, which
 * may be a {@code List} of items). The documents are changed in place; {@link #write} prints them
 * in the plugin's layout, {@link #rewrite} changes only some scalar texts of the original, so that
 * a file in Git changes in those lines only.
 */
public final class ManifestFile {

  /** The formats of a manifest. */
  public enum Format {
    yaml,
    json
  }

  /** Larger than any manifest of ManagedSecrets (an object is at most 1.5 MiB in etcd). */
  public static final int MAX_BYTES = 8 * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  private final String text;
  private final Format format;
  private final List<JsonNode> documents;

  private ManifestFile(String text, Format format, List<JsonNode> documents) {
    this.text = text;
    this.format = format;
    this.documents = documents;
  }

  /**
   * Reads a manifest.
   *
   * @param source how messages name it: a file name, or "stdin"
   * @throws CliException exit code 252 when it is not YAML or JSON
   */
  public static ManifestFile parse(String text, String source) {
    String t = text.stripLeading();
    Format format = t.startsWith("{") || t.startsWith("[") ? Format.json : Format.yaml;
    return new ManifestFile(text, format, documents(text, format, source));
  }

  private static List<JsonNode> documents(String text, Format format, String source) {
    List<JsonNode> out = new ArrayList<>();
    try {
      if (format == Format.json) {
        JsonNode root = JSON.readTree(text);
        if (root == null || !root.isObject()) {
          throw new CliException(
              CliException.USAGE, "error: " + source + " is not a JSON object (a manifest)");
        }
        out.add(root);
      } else {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
          while (docs.hasNextValue()) {
            JsonNode doc = docs.nextValue();
            if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
              if (!doc.isObject()) {
                throw new CliException(
                    CliException.USAGE,
                    "error: document " + (out.size() + 1) + " of " + source + " is not a mapping");
              }
              out.add(doc);
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof CliException c) {
        throw c;
      }
      // The parser's message may quote the text, which may hold a value in plain text.
      throw new CliException(
          CliException.USAGE,
          "error: "
              + source
              + " is not "
              + (format == Format.json ? "JSON" : "YAML")
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException p
                      && p.getLocation() != null
                  ? " (line " + p.getLocation().getLineNr() + ")"
                  : ""));
    }
    return out;
  }

  public Format format() {
    return format;
  }

  /** The documents, to change in place. */
  public List<JsonNode> documents() {
    return documents;
  }

  /** Calls {@code action} with every object of the manifest, the items of a List too. */
  public void forEachObject(Consumer<ObjectNode> action) {
    for (JsonNode doc : documents) {
      if (doc.path("items").isArray() && doc.path("kind").asText("").endsWith("List")) {
        for (JsonNode item : doc.path("items")) {
          if (item.isObject()) {
            action.accept((ObjectNode) item);
          }
        }
      } else {
        action.accept((ObjectNode) doc);
      }
    }
  }

  /** The documents in the plugin's layout: YAML documents separated by ---, or JSON. */
  public String write(Format as) {
    if (as == Format.json) {
      JsonNode one = documents.size() == 1 ? documents.get(0) : list();
      return Json.print(one) + "\n";
    }
    StringBuilder out = new StringBuilder();
    for (JsonNode doc : documents) {
      if (out.length() > 0) {
        out.append("---\n");
      }
      out.append(Output.yaml(doc));
    }
    return out.toString();
  }

  private ObjectNode list() {
    ObjectNode list = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "List");
    ArrayNode items = list.putArray("items");
    documents.forEach(items::add);
    return list;
  }

  /**
   * The original text with each key of {@code replaced} (a scalar's text, found once) replaced by
   * its value, when that text reads as the documents are now; else null (the layout must change:
   * use {@link #write}).
   */
  public String rewrite(Map<String, String> replaced) {
    String out = text;
    for (Map.Entry<String, String> r : replaced.entrySet()) {
      int at = out.indexOf(r.getKey());
      if (r.getKey().isEmpty() || at < 0 || out.indexOf(r.getKey(), at + 1) >= 0) {
        return null;
      }
      out = out.substring(0, at) + r.getValue() + out.substring(at + r.getKey().length());
    }
    try {
      return documents(out, format, "the manifest").equals(documents) ? out : null;
    } catch (CliException e) {
      return null;
    }
  }
}
