package dev.managedsecrets.operator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads {@link OperatorConfig}: one tree of the components' defaults, the file over it, the
 * environment over both, converted once and checked once.
 *
 * <p>A component's variable is its parent's (MANAGEDSECRET at the top) and its name in upper snake
 * case: store.jdbcUrl is MANAGEDSECRET_STORE_JDBC_URL. {@link #NAMES} lists the exceptions.
 */
final class ConfigLoader {

  /**
   * Variables not named by the rule, by path: the first set wins; a section's name is the prefix of
   * its fields' variables.
   */
  static final Map<String, List<String>> NAMES =
      Map.of(
          "namespace", List.of("MANAGEDSECRET_NAMESPACE", "POD_NAMESPACE"),
          "kms.awsKms", List.of("MANAGEDSECRET_KMS_AWS"));

  /** Components only the environment sets (secrets): the file's value is ignored. */
  static final Set<String> ENVIRONMENT_ONLY = Set.of("kms.pkcs11.pin");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .findAndAddModules()
          // An empty variable is no number, duration or boolean.
          .withCoercionConfigDefaults(
              c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
          .build();

  /** A value of the configuration: its path (store.jdbcUrl), component and variables. */
  record Setting(String path, RecordComponent component, List<String> variables) {

    /** The default, as the environment would give it; null when there is none. */
    String defaultValue() {
      JsonProperty p = component.getAccessor().getAnnotation(JsonProperty.class);
      return p == null || p.defaultValue().isEmpty() ? null : p.defaultValue();
    }

    /** A list of records as the environment gives it: a YAML (or JSON) list of mappings. */
    private JsonNode records(String text) {
      try {
        JsonNode list = YAML.readTree(text);
        if (list == null || list.isMissingNode() || list.isNull()) {
          return MAPPER.createArrayNode();
        }
        if (list.isArray()) {
          boolean mappings = true;
          for (JsonNode e : list) {
            mappings &= e.isObject();
          }
          if (mappings) {
            return list;
          }
        }
      } catch (IOException e) {
        // refused below, without the text: it may hold what a setting should not show
      }
      throw new IllegalArgumentException(
          path
              + " must be a YAML list of mappings, such as [{region: eu-west-1, kubeconfigSecret:"
              + " peer-eu-west-1}]");
    }

    /** True for a list whose elements are records (each a mapping of fields). */
    boolean listOfRecords() {
      return component.getGenericType() instanceof ParameterizedType p
          && p.getActualTypeArguments()[0] instanceof Class<?> element
          && element.isRecord();
    }

    /**
     * Text as the environment gives it (a list: comma-separated; a list of records: YAML) as a tree
     * node.
     */
    JsonNode node(String text) {
      if (text == null) {
        return NullNode.getInstance();
      }
      if (!List.class.isAssignableFrom(component.getType())) {
        return TextNode.valueOf(text);
      }
      if (listOfRecords()) {
        return records(text);
      }
      ArrayNode list = MAPPER.createArrayNode();
      Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(list::add);
      return list;
    }
  }

  static final List<Setting> SETTINGS = settings(OperatorConfig.class, "", "MANAGEDSECRET");

  private ConfigLoader() {}

  static OperatorConfig load(Path file, Map<String, String> env) {
    ObjectNode tree = MAPPER.createObjectNode();
    SETTINGS.forEach(s -> put(tree, s.path(), s.node(s.defaultValue())));
    if (file != null) {
      overlay(tree, read(file), "", file);
    }
    for (Setting s : SETTINGS) {
      s.variables().stream()
          .filter(env::containsKey)
          .findFirst()
          .ifPresent(v -> put(tree, s.path(), s.node(env.get(v))));
    }
    OperatorConfig config = convert(tree);
    config.check();
    return config;
  }

  private static List<Setting> settings(Class<?> record, String parent, String variable) {
    List<Setting> out = new ArrayList<>();
    for (RecordComponent c : record.getRecordComponents()) {
      String path = parent.isEmpty() ? c.getName() : parent + "." + c.getName();
      String snake = c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
      List<String> names = NAMES.getOrDefault(path, List.of(variable + "_" + snake));
      if (c.getType().isRecord()) {
        out.addAll(settings(c.getType(), path, names.get(0)));
      } else {
        out.add(new Setting(path, c, names));
      }
    }
    return List.copyOf(out);
  }

  private static void put(ObjectNode tree, String path, JsonNode value) {
    String[] names = path.split("\\.");
    ObjectNode section = tree;
    for (int i = 0; i < names.length - 1; i++) {
      section = section.withObjectProperty(names[i]);
    }
    section.set(names[names.length - 1], value);
  }

  private static JsonNode read(Path file) {
    try {
      JsonNode root = YAML.readTree(file.toFile());
      if (root == null || root.isMissingNode() || root.isNull()) {
        return MAPPER.createObjectNode();
      }
      if (!root.isObject()) {
        throw new IllegalArgumentException(
            "Could not read the configuration " + file + ": it is not a mapping of fields");
      }
      return root;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Could not read the configuration " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Sets the file's fields over the defaults, refusing unknown ones. A null is no value: the
   * default stays.
   */
  private static void overlay(ObjectNode into, JsonNode from, String parent, Path file) {
    for (Map.Entry<String, JsonNode> field : from.properties()) {
      String path = parent + field.getKey();
      JsonNode known = into.get(field.getKey());
      if (known == null) {
        throw new IllegalArgumentException(
            "Could not read the configuration "
                + file
                + ": unknown field "
                + path
                + "; the fields are "
                + into.properties().stream()
                    .map(Map.Entry::getKey)
                    .collect(Collectors.joining(", ")));
      }
      if (field.getValue().isNull() || ENVIRONMENT_ONLY.contains(path)) {
        continue;
      }
      if (known.isObject() && field.getValue().isObject()) {
        overlay((ObjectNode) known, field.getValue(), path + ".", file);
      } else {
        into.set(field.getKey(), field.getValue());
      }
    }
  }

  /** The tree as the record; a value of the wrong kind is refused naming the field. */
  private static OperatorConfig convert(JsonNode tree) {
    try {
      return MAPPER.treeToValue(tree, OperatorConfig.class);
    } catch (JsonMappingException e) {
      if (e instanceof ValueInstantiationException
          && e.getCause() instanceof IllegalArgumentException refused) {
        throw new IllegalArgumentException(refused.getMessage(), e); // StoreConfig.Type.parse
      }
      String path =
          e.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."));
      if (e instanceof InvalidFormatException invalid) {
        throw new IllegalArgumentException(
            path
                + " must be "
                + expected(invalid.getTargetType())
                + "; it is "
                + invalid.getValue(),
            e);
      }
      if (e instanceof MismatchedInputException mismatched) {
        throw new IllegalArgumentException(
            path + " must be " + expected(mismatched.getTargetType()), e);
      }
      throw new IllegalArgumentException(path + ": " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "another kind of value";
    }
    if (type.isPrimitive() && type != boolean.class || Number.class.isAssignableFrom(type)) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == Duration.class) {
      return "an ISO-8601 duration such as PT30S";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type.isRecord()) {
      return "a mapping of fields";
    }
    return "a " + type.getSimpleName();
  }
}
