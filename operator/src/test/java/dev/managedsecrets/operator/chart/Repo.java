package dev.managedsecrets.operator.chart;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository, wherever the tests run from. */
public final class Repo {

  private Repo() {}

  /** The repository's root: the directory that holds helm/ and the parent pom. */
  public static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("helm")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("Not inside the repository: " + Path.of("").toAbsolutePath());
  }

  public static Path chart() {
    return root().resolve("helm/managedsecret-operator");
  }

  public static Path crds() {
    return root().resolve("crds");
  }
}
