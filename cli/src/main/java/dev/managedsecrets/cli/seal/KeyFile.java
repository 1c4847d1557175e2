package dev.managedsecrets.cli.seal;

import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sealing public key in a file, for sealing offline ({@code --cert}). The file {@code fetch-cert}
 * prints: RFC 7468 PEM with the key id and the creation date as explanatory text before it (which
 * {@code openssl pkey -pubin} skips):
 *
 * <pre>
 * Key-Id: 3f2a9c0d1b7e4a55
 * Created: 2026-01-15T10:00:00Z
 * -----BEGIN PUBLIC KEY-----
 * MCowBQYDK2VuAyEA...
 * -----END PUBLIC KEY-----
 * </pre>
 *
 * The operator's published forms are read as well: its {@code current.pem} (the PEM alone) and its
 * {@code keys.json} (its current key). The key id is always computed from the key (the first 8
 * bytes of SHA-256 of its 32 bytes); a {@code Key-Id} line that says otherwise is refused.
 */
public final class KeyFile {

  /** Larger than any key file: {@code keys.json} of a few hundred keys. */
  static final int MAX_BYTES = 1024 * 1024;

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN PUBLIC KEY-----[\\s\\S]*?-----END PUBLIC KEY-----");
  private static final Pattern KEY_ID = Pattern.compile("(?m)^\\s*Key-Id:\\s*(\\S+)\\s*$");

  private KeyFile() {}

  /** The text fetch-cert prints for a published key. */
  public static String format(PublishedSealingKeys.Entry key) {
    StringBuilder out = new StringBuilder();
    out.append("Key-Id: ").append(key.keyId()).append('\n');
    out.append("Created: ").append(key.createdDate()).append('\n');
    if (key.retiredDate() != null) {
      out.append("Retired: ").append(key.retiredDate()).append('\n');
    }
    return out.append(key.publicKey().toPem()).toString();
  }

  /**
   * The key of a file ({@code -} is stdin, which must then not hold the manifest).
   *
   * @throws CliException exit code 252 when it cannot be read or holds no sealing key
   */
  public static SealingPublicKey read(String option, String file, InputStream stdin) {
    byte[] bytes;
    try {
      if (file.equals("-")) {
        bytes = stdin.readNBytes(MAX_BYTES + 1);
      } else {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
          bytes = in.readNBytes(MAX_BYTES + 1);
        }
      }
    } catch (NoSuchFileException e) {
      throw CliException.parameter(option, "No such file: " + file);
    } catch (IOException e) {
      throw CliException.parameter(option, "Cannot read " + file + ": " + e.getMessage());
    }
    if (bytes.length > MAX_BYTES) {
      throw CliException.parameter(option, file + " is larger than a key file (1 MiB)");
    }
    return parse(option, new String(bytes, StandardCharsets.UTF_8));
  }

  static SealingPublicKey parse(String option, String text) {
    String t = text.strip();
    if (t.startsWith("{")) {
      PublishedSealingKeys published;
      try {
        published = PublishedSealingKeys.parse(t);
      } catch (IllegalArgumentException e) {
        throw CliException.parameter(option, "the JSON is not the operator's keys.json");
      }
      return published
          .currentKey()
          .orElseThrow(
              () ->
                  CliException.parameter(
                      option, "the keys.json names no current key (every key is retired)"))
          .publicKey();
    }
    Matcher pem = PEM.matcher(t);
    if (!pem.find()) {
      throw CliException.parameter(
          option,
          "no PEM public key (-----BEGIN PUBLIC KEY-----) in it: use what kubectl managedsecret"
              + " fetch-cert prints");
    }
    String block = pem.group();
    if (pem.find()) {
      throw CliException.parameter(option, "it holds more than one public key: keep one");
    }
    SealingPublicKey key;
    try {
      key = SealingPublicKey.fromPem(block);
    } catch (IllegalArgumentException e) {
      throw CliException.parameter(option, e.getMessage());
    }
    Matcher id = KEY_ID.matcher(t.substring(0, t.indexOf(block)));
    if (id.find() && !id.group(1).equals(key.keyId())) {
      throw CliException.parameter(
          option,
          "its Key-Id line says "
              + id.group(1)
              + ", but the key's id is "
              + key.keyId()
              + ": the file was edited; fetch it again");
    }
    return key;
  }
}
