package dev.managedsecrets.operator.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.operator.chart.Repo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's table of differences from AWS Secrets Manager names, for every row, the Kubernetes
 * reason that forces it and the tests that show the documented behaviour; every test it names
 * exists (a class, or a class and one of its test methods), so the table cannot point at a test
 * that was renamed or removed.
 */
class DifferencesTableTest {

  private static final Pattern NAMED =
      Pattern.compile("`([A-Z][A-Za-z0-9]*)(?:\\.([a-z][A-Za-z0-9]*))?`");

  @Test
  void everyRowGivesItsReasonAndNamesTestsThatExist() throws IOException {
    String readme = Files.readString(Repo.root().resolve("README.md"));
    int start = readme.indexOf("## Differences from AWS Secrets Manager");
    int end = readme.indexOf("\n## ", start + 1);
    List<String> rows =
        readme.substring(start, end).lines().filter(l -> l.startsWith("| ")).skip(1).toList();
    assertThat(rows).hasSizeGreaterThan(10);
    for (String row : rows) {
      String[] cells = row.split(" \\| ");
      assertThat(cells).as(row).hasSize(4);
      assertThat(cells[2].trim()).as("the reason of: %s", cells[0]).isNotEmpty();
      Matcher m = NAMED.matcher(cells[3]);
      int named = 0;
      while (m.find()) {
        named++;
        Path source = testSource(m.group(1));
        assertThat(source).as("a test class %s, named by: %s", m.group(1), cells[0]).isNotNull();
        if (m.group(2) != null) {
          assertThat(Files.readString(source))
              .as("%s.%s, named by: %s", m.group(1), m.group(2), cells[0])
              .containsPattern("void\\s+" + m.group(2) + "\\(");
        }
      }
      assertThat(named).as("tests named by: %s", cells[0]).isPositive();
    }
  }

  /** The test source of a class of that simple name in any module, or null. */
  private static Path testSource(String simpleName) {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> modules = Files.list(Repo.root())) {
      for (Path module : modules.toList()) {
        Path tests = module.resolve("src/test/java");
        if (Files.isDirectory(tests)) {
          try (Stream<Path> files = Files.walk(tests)) {
            files
                .filter(f -> f.getFileName().toString().equals(simpleName + ".java"))
                .forEach(found::add);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found.isEmpty() ? null : found.get(0);
  }
}
