import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Puts the additionalPrinterColumns of the CRDs that fabric8's crd-generator wrote back in the
 * order the custom resource classes declare their {@code @AdditionalPrinterColumn} annotations: the
 * generator sorts them by jsonPath (it has no option to keep them, and its CRDPostProcessor cannot
 * be set from its Maven plugin), while kubectl shows them in the CRD's order.
 *
 * <p>The api module's build runs it as a single-file program right after the generator
 * (process-classes): {@code java -cp <compile classpath> PrinterColumnOrder.java <classes dir> <crd
 * dir>}. It moves whole list items of each additionalPrinterColumns block and touches no other
 * line, then checks that the CRD still parses to the same object but for the order. A generated
 * column that no annotation declares, or a declared one that was not generated (the generator keeps
 * one column per jsonPath), fails the build.
 */
public final class PrinterColumnOrder {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern BLOCK = Pattern.compile("^( *)(- )?additionalPrinterColumns:$");

  private PrinterColumnOrder() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: PrinterColumnOrder <classes dir> <crd dir>");
    }
    Path classes = Path.of(args[0]);
    Path crds = Path.of(args[1]);
    Map<Path, Map<String, List<String>>> declared = declaredColumns(classes, crds);
    for (Map.Entry<Path, Map<String, List<String>>> crd : declared.entrySet()) {
      Path file = crd.getKey();
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException(file + " was not generated");
      }
      String generated = Files.readString(file);
      String ordered = reorder(generated, crd.getValue());
      check(generated, ordered, crd.getValue(), file);
      if (!ordered.equals(generated)) {
        Files.writeString(file, ordered);
      }
    }
  }

  /**
   * The column names each custom resource class declares, in declaration order, by the CRD file the
   * generator writes for it and the version it serves.
   */
  private static Map<Path, Map<String, List<String>>> declaredColumns(Path classes, Path crds)
      throws IOException {
    Map<Path, Map<String, List<String>>> out = new HashMap<>();
    List<Path> classFiles;
    try (Stream<Path> s = Files.walk(classes)) {
      classFiles = s.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    }
    ClassLoader loader = PrinterColumnOrder.class.getClassLoader();
    for (Path classFile : classFiles) {
      String relative = classes.relativize(classFile).toString();
      String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
      Class<?> type;
      try {
        type = Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("cannot load " + name, e);
      }
      AdditionalPrinterColumn[] columns = type.getAnnotationsByType(AdditionalPrinterColumn.class);
      if (columns.length == 0 || !HasMetadata.class.isAssignableFrom(type)) {
        continue;
      }
      Path file =
          crds.resolve(HasMetadata.getPlural(type) + "." + HasMetadata.getGroup(type) + "-v1.yml");
      List<String> names = Arrays.stream(columns).map(PrinterColumnOrder::columnName).toList();
      out.computeIfAbsent(file, f -> new HashMap<>()).put(HasMetadata.getVersion(type), names);
    }
    return out;
  }

  /** The name the generator gives a column: its own, else the jsonPath's last step upper-cased. */
  private static String columnName(AdditionalPrinterColumn column) {
    if (!column.name().isEmpty()) {
      return column.name();
    }
    String path = column.jsonPath();
    return path.substring(path.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT);
  }

  /** The CRD with the items of each version's additionalPrinterColumns in the declared order. */
  static String reorder(String crd, Map<String, List<String>> declaredByVersion)
      throws IOException {
    // The n-th additionalPrinterColumns block is that of the n-th version that has columns.
    List<String> versions = new ArrayList<>();
    for (JsonNode version : YAML.readTree(crd).path("spec").path("versions")) {
      if (!version.path("additionalPrinterColumns").isEmpty()) {
        versions.add(version.path("name").asText());
      }
    }
    List<String> lines = new ArrayList<>(crd.lines().toList());
    for (int i = 0; i < lines.size(); i++) {
      Matcher block = BLOCK.matcher(lines.get(i));
      if (!block.matches()) {
        continue;
      }
      int indent = block.group(1).length() + (block.group(2) == null ? 0 : 2);
      String itemStart = " ".repeat(indent) + "- ";
      String itemRest = " ".repeat(indent + 2);
      List<Item> items = new ArrayList<>();
      int end = i + 1;
      while (end < lines.size()) {
        String line = lines.get(end);
        if (line.startsWith(itemStart)) {
          items.add(new Item(new ArrayList<>(List.of(line))));
        } else if (line.startsWith(itemRest) && !items.isEmpty()) {
          items.get(items.size() - 1).lines().add(line);
        } else {
          break;
        }
        end++;
      }
      String version = versions.remove(0);
      List<String> declared = declaredByVersion.get(version);
      if (declared == null) {
        throw new IllegalStateException("no class declares the columns of version " + version);
      }
      List<Item> sorted = new ArrayList<>();
      for (Item item : items) {
        sorted.add(item.named(indent));
      }
      sorted.sort(Comparator.comparingInt(item -> position(declared, item.name())));
      List<String> ordered = sorted.stream().flatMap(item -> item.lines().stream()).toList();
      for (int k = 0; k < ordered.size(); k++) {
        lines.set(i + 1 + k, ordered.get(k));
      }
      i = end - 1;
    }
    return String.join("\n", lines) + (crd.endsWith("\n") ? "\n" : "");
  }

  /** One list item of an additionalPrinterColumns block: its lines, as generated. */
  private record Item(List<String> lines, String name) {
    Item(List<String> lines) {
      this(lines, null);
    }

    /** The item with its column name, read from its lines dedented by the block's indent. */
    Item named(int indent) throws IOException {
      String dedented = String.join("\n", lines.stream().map(l -> l.substring(indent)).toList());
      return new Item(lines, YAML.readTree(dedented).path(0).path("name").asText());
    }
  }

  private static int position(List<String> declared, String name) {
    int at = declared.indexOf(name);
    if (at < 0) {
      throw new IllegalStateException(
          "printer column " + name + " is not declared by an @AdditionalPrinterColumn");
    }
    return at;
  }

  /**
   * The reordered CRD parses to the generated one but for the order of the columns, which is the
   * declared one, each declared column present.
   */
  private static void check(
      String generated, String ordered, Map<String, List<String>> declaredByVersion, Path file)
      throws IOException {
    JsonNode before = YAML.readTree(generated);
    JsonNode after = YAML.readTree(ordered);
    for (JsonNode version : after.path("spec").path("versions")) {
      List<String> names = new ArrayList<>();
      version.path("additionalPrinterColumns").forEach(c -> names.add(c.path("name").asText()));
      List<String> declared = declaredByVersion.get(version.path("name").asText());
      if (declared != null && !names.equals(declared)) {
        throw new IllegalStateException(
            file.getFileName()
                + " version "
                + version.path("name").asText()
                + ": columns "
                + names
                + ", declared "
                + declared
                + " (two columns of one jsonPath are generated as one)");
      }
    }
    if (!withColumnsByName(before).equals(withColumnsByName(after))) {
      throw new IllegalStateException(file + " changed beyond the order of its printer columns");
    }
  }

  private static JsonNode withColumnsByName(JsonNode crd) {
    JsonNode copy = crd.deepCopy();
    for (JsonNode version : copy.path("spec").path("versions")) {
      JsonNode columns = version.path("additionalPrinterColumns");
      if (columns.isArray()) {
        List<JsonNode> sorted = new ArrayList<>();
        columns.forEach(sorted::add);
        sorted.sort(Comparator.comparing(c -> c.path("name").asText()));
        ArrayNode array = ((ObjectNode) version).putArray("additionalPrinterColumns");
        sorted.forEach(array::add);
      }
    }
    return copy;
  }
}
