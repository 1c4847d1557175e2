package dev.managedsecrets.operator.chart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Rendered Kubernetes manifests: the YAML text and its documents. */
public final class Manifests {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String yaml;
  private final List<Map<String, Object>> documents;

  private Manifests(String yaml, List<Map<String, Object>> documents) {
    this.yaml = yaml;
    this.documents = documents;
  }

  /** Parses a multi-document YAML stream; empty documents are skipped. */
  @SuppressWarnings("unchecked")
  public static Manifests parse(String yaml) {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
      var it = YAML.readValues(parser, Map.class);
      while (it.hasNext()) {
        Map<String, Object> doc = (Map<String, Object>) it.next();
        if (doc != null && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Manifests(yaml, docs);
  }

  public String yaml() {
    return yaml;
  }

  public List<Map<String, Object>> documents() {
    return documents;
  }

  /** Every document of this kind. */
  public List<Map<String, Object>> ofKind(String kind) {
    return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  /** Every document of this kind, as a typed object. */
  public <T> List<T> ofKind(String kind, Class<T> type) {
    return ofKind(kind).stream()
        .map(d -> Serialization.jsonMapper().convertValue(d, type))
        .toList();
  }

  /** The one document of this kind and name. */
  public <T> T get(String kind, String name, Class<T> type) {
    List<Map<String, Object>> found =
        ofKind(kind).stream().filter(d -> Objects.equals(name, metadata(d).get("name"))).toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "Expected one " + kind + " " + name + ", found " + found.size() + " in:\n" + yaml);
    }
    return Serialization.jsonMapper().convertValue(found.get(0), type);
  }

  public boolean has(String kind) {
    return !ofKind(kind).isEmpty();
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> metadata(Map<String, Object> doc) {
    Object m = doc.get("metadata");
    return m instanceof Map ? (Map<String, Object>) m : Map.of();
  }
}
