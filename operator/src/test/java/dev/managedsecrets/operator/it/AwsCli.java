package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The AWS CLI installed on the machine ({@code aws} on the PATH; test.sh installs it with pip when
 * it is missing), run in a directory of the test's with none of the user's own AWS configuration.
 */
final class AwsCli {

  /** What one run printed and how it ended. */
  record Run(int exitCode, String out, String err) {}

  private AwsCli() {}

  /** The {@code aws} on the PATH, or null. */
  static String find() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(d, "aws");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  /**
   * Runs {@code aws <args>} in {@code dir} with {@code env} as its only AWS settings: no config or
   * credentials file of the user's, no instance metadata.
   */
  static Run run(Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(find()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> environment = pb.environment();
    environment.keySet().removeIf(k -> k.startsWith("AWS_"));
    environment.put("HOME", dir.toString());
    environment.put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
    environment.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
    environment.put("AWS_EC2_METADATA_DISABLED", "true");
    environment.putAll(env);
    Path out = Files.createTempFile(dir, "aws", ".out");
    Path err = Files.createTempFile(dir, "aws", ".err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("aws ran within 120 s").isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
