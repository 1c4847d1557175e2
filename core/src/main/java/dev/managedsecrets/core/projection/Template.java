package dev.managedsecrets.core.projection;

import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.ValueSize;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One target.template entry: text in which {@code {{key}}} stands for that key of the value. Its
 * rendered size is computed from the sizes of the keys it names before anything is rendered, so a
 * template that would be too large is refused without being built.
 */
final class Template {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([-._a-zA-Z0-9]+)\\s*}}");

  private final String key;
  private final String text;

  Template(String key, String text) {
    this.key = key;
    this.text = text;
  }

  /** The keys of the value the template names. Unknown keys are refused. */
  Set<String> keys(Set<String> known) {
    Set<String> named = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    for (int placeholder = 1; m.find(); placeholder++) {
      if (!known.contains(m.group(1))) {
        // Key names are part of the value: the message counts, it does not name them.
        throw SecretsManagerException.invalidParameter(
            "target.template."
                + key
                + ": its placeholder "
                + placeholder
                + " names a key the value does not have (the value has "
                + known.size()
                + " keys).");
      }
      named.add(m.group(1));
    }
    return named;
  }

  /** The rendered size in bytes, from {@code values} (every key {@link #keys} named). */
  long size(Map<String, byte[]> values) {
    long size = 0;
    int literal = 0;
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      size += ValueSize.utf8Length(text, literal, m.start()) + values.get(m.group(1)).length;
      literal = m.end();
    }
    return size + ValueSize.utf8Length(text, literal, text.length());
  }

  /** The rendered bytes, exactly {@code size} of them ({@link #size}). */
  byte[] render(Map<String, byte[]> values, int size) {
    byte[] out = new byte[size];
    int at = 0;
    int literal = 0;
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      at = put(out, at, text.substring(literal, m.start()).getBytes(StandardCharsets.UTF_8));
      at = put(out, at, values.get(m.group(1)));
      literal = m.end();
    }
    put(out, at, text.substring(literal).getBytes(StandardCharsets.UTF_8));
    return out;
  }

  private static int put(byte[] out, int at, byte[] part) {
    System.arraycopy(part, 0, out, at, part.length);
    return at + part.length;
  }
}
