package dev.managedsecrets.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the plugin in this JVM, as the launcher would, with captured output and a given env. */
public final class Cli {

  /** What one run printed and returned. */
  public record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final Map<String, String> env;

  public Cli(Map<String, String> env) {
    this.env = env;
  }

  public Result run(String... args) {
    return runWithInput("", args);
  }

  /** Runs with {@code stdin} as the standard input. */
  public Result runWithInput(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            args,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintWriter(out),
            new PrintWriter(err),
            env);
    return new Result(code, out.toString(), err.toString());
  }
}
