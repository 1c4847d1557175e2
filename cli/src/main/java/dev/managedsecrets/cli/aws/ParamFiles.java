package dev.managedsecrets.cli.aws;

import dev.managedsecrets.cli.CliException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Parameter values as the AWS CLI reads them: the literal text, {@code file://path} (the file's
 * text, UTF-8) or {@code fileb://path} (the file's bytes). {@code ~} at the start of a path is the
 * home directory; a relative path is relative to the working directory.
 */
public final class ParamFiles {

  public static final String FILE = "file://";
  public static final String FILEB = "fileb://";

  private ParamFiles() {}

  /** A text parameter: literal, file:// or fileb:// (which must hold UTF-8 text). */
  public static String text(String option, String value) {
    if (value == null) {
      return null;
    }
    if (value.startsWith(FILE)) {
      return utf8(option, value, read(option, value, FILE));
    }
    if (value.startsWith(FILEB)) {
      return utf8(option, value, read(option, value, FILEB));
    }
    return value;
  }

  /**
   * A blob parameter (--secret-binary) as base64: fileb:// reads raw bytes and encodes them;
   * file:// and a literal are base64 text already (the AWS CLI v2's default, cli_binary_format
   * base64), checked here.
   */
  public static String base64(String option, String value) {
    if (value == null) {
      return null;
    }
    if (value.startsWith(FILEB)) {
      return Base64.getEncoder().encodeToString(read(option, value, FILEB));
    }
    String text = value.startsWith(FILE) ? utf8(option, value, read(option, value, FILE)) : value;
    String compact = text.strip();
    try {
      Base64.getDecoder().decode(compact);
    } catch (IllegalArgumentException e) {
      // Never echo the value: it is a secret.
      throw CliException.parameter(
          option,
          "Invalid base64: a literal or file:// value must be base64; use fileb://path for raw"
              + " bytes.");
    }
    return compact;
  }

  private static byte[] read(String option, String value, String scheme) {
    String name = value.substring(scheme.length());
    Path path = path(name);
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw unable(option, value, "No such file or directory: '" + name + "'");
    } catch (AccessDeniedException e) {
      throw unable(option, value, "Permission denied: '" + name + "'");
    } catch (IOException e) {
      String reason =
          Files.isDirectory(path)
              ? "Is a directory: '" + name + "'"
              : e.getClass().getSimpleName() + ": '" + name + "'";
      throw unable(option, value, reason);
    }
  }

  private static Path path(String name) {
    if (name.equals("~") || name.startsWith("~/")) {
      return Path.of(System.getProperty("user.home") + name.substring(1));
    }
    return Path.of(name);
  }

  private static CliException unable(String option, String value, String reason) {
    return CliException.parameter(option, "Unable to load paramfile " + value + ": " + reason);
  }

  private static String utf8(String option, String value, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw CliException.parameter(
          option,
          "Unable to load paramfile "
              + value
              + ": the file is not UTF-8 text"
              + (option.equals("--secret-string") ? "; use --secret-binary fileb://" : ""));
    }
  }
}
