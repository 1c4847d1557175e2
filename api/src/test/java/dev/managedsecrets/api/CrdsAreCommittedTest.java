package dev.managedsecrets.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs under crds/ are build output: this fails the build when they differ from what the
 * generator makes of the model. Run with -Dcrds.update=true to refresh them.
 */
class CrdsAreCommittedTest {

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    Path generated = Path.of(System.getProperty("crds.generated"));
    Path committed = Path.of(System.getProperty("crds.committed"));
    List<Path> files;
    try (Stream<Path> s = Files.list(generated)) {
      files = s.filter(p -> p.toString().endsWith("-v1.yml")).sorted().toList();
    }
    assertThat(files).as("generated CRDs").isNotEmpty();
    boolean update = Boolean.getBoolean("crds.update");
    for (Path file : files) {
      String name = file.getFileName().toString().replace("-v1.yml", ".yaml");
      Path target = committed.resolve(name);
      String expected = Files.readString(file);
      if (update) {
        Files.createDirectories(committed);
        Files.writeString(target, expected);
      }
      assertThat(target)
          .as("crds/%s is stale: run `mvn -pl api test -Dcrds.update=true` and commit it", name)
          .exists()
          .hasContent(expected);
    }
  }
}
