package dev.managedsecrets.operator.kms.pkcs11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A SoftHSM2 token of this test run: its own configuration and token directory, so nothing depends
 * on the machine's tokens. SoftHSM2 reads SOFTHSM2_CONF when the library is first initialised in a
 * process, so the build (failsafe) points it at target/softhsm2/softhsm2.conf and this class writes
 * that file, with a fresh temporary token directory, before any test loads the library. Without
 * SoftHSM2 the tests fail, saying how to install it; they never skip.
 */
public final class SoftHsm {

  public static final Path LIBRARY =
      Path.of(System.getProperty("softhsm2.library", "/usr/lib/softhsm/libsofthsm2.so"));
  static final String TOKEN_LABEL = "managedsecrets-it";
  static final String SPARE_TOKEN_LABEL = "managedsecrets-it-spare";

  /** An initialised token: its slot id, label and user PIN. */
  public record Token(long slot, String label, String pin) {}

  private static List<Token> tokens;

  private SoftHsm() {}

  /** The token the tests use. */
  public static Token token() {
    return tokens().get(0);
  }

  /**
   * A second token that no test logs in to. A PKCS#11 login holds for the whole process, so a wrong
   * PIN is only refused by a token this process is not logged in to.
   */
  static Token spareToken() {
    return tokens().get(1);
  }

  private static synchronized List<Token> tokens() {
    if (tokens == null) {
      tokens = initialise();
    }
    return tokens;
  }

  private static List<Token> initialise() {
    if (!Files.isRegularFile(LIBRARY) || !onPath("softhsm2-util")) {
      throw new AssertionError(
          "SoftHSM2 is not installed (no "
              + LIBRARY
              + " or no softhsm2-util on the PATH): the pkcs11 provider is tested against it."
              + " Run ./test.sh, which unpacks it into .tools/, or install it with"
              + " `apt-get install -y softhsm2`.");
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null || conf.isBlank()) {
      throw new AssertionError(
          "SOFTHSM2_CONF is not set: run the pkcs11 tests through `mvn verify` (failsafe points it"
              + " at target/softhsm2/softhsm2.conf), never against the machine's own tokens.");
    }
    try {
      Path tokens = Files.createTempDirectory("managedsecrets-softhsm2-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(tokens)));
      Path confFile = Path.of(conf);
      Files.createDirectories(confFile.toAbsolutePath().getParent());
      Files.writeString(
          confFile,
          String.join(
              "\n",
              "directories.tokendir = " + tokens,
              "objectstore.backend = file",
              "log.level = ERROR",
              "slots.removable = false",
              ""),
          StandardCharsets.UTF_8);
      return List.of(initToken(confFile, TOKEN_LABEL), initToken(confFile, SPARE_TOKEN_LABEL));
    } catch (IOException e) {
      throw new AssertionError("Could not initialise a SoftHSM2 token: " + e, e);
    }
  }

  private static Token initToken(Path conf, String label) throws IOException {
    String pin = randomDigits(8);
    String out =
        run(
            conf,
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            pin,
            "--so-pin",
            randomDigits(8));
    Matcher slot = Pattern.compile("reassigned to slot (\\d+)").matcher(out);
    if (!slot.find()) {
      throw new AssertionError("softhsm2-util did not say which slot it used: " + out);
    }
    return new Token(Long.parseLong(slot.group(1)), label, pin);
  }

  private static String run(Path conf, String... command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
    builder.environment().put("SOFTHSM2_CONF", conf.toString());
    Process process = builder.start();
    try {
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command[0], command[1]) + " failed: " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }

  private static String randomDigits(int n) {
    SecureRandom random = new SecureRandom();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      out.append(random.nextInt(10));
    }
    return out.toString();
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; nothing else to do
    }
  }
}
