package dev.managedsecrets.core.template;

import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.error.ParserException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The template language of {@code target.templates}, version v1: Pebble's syntax ({@code {{
 * password | urlencode }}}, {@code {% if %}}), sandboxed ({@link Sandbox}) and with the template
 * library's functions only ({@link TemplateFunctions}).
 *
 * <p>Why a template can't stall the operator: it has no loops, no recursion, no assignment and no
 * way to read another template, so each of its nodes is evaluated at most once; every function
 * charges what it makes to a budget before making it, and what is printed is bounded. Its work is
 * so linear in its length and in the budget, which no thread interrupt needs to enforce.
 *
 * <p>A template reads each key of the value as a variable ({@code {{ username }}}) and every key
 * through {@code secret} ({@code {{ secret['tls.crt'] }}}), nothing else.
 */
public final class TemplateEngine {

  /** The version of the template language that {@code target.templates.engineVersion} names. */
  public static final String V1 = "v1";

  /** The map of every key, for keys that are not names ({@code secret['tls.crt']}). */
  public static final String SECRET_VARIABLE = "secret";

  /**
   * The opening of Pebble's string interpolation, which would concatenate values where no function
   * charges for it: no template may hold it.
   */
  private static final String INTERPOLATION = "#{";

  private final PebbleEngine pebble;

  /**
   * @param maxRenderedChars the most characters one template may print
   */
  public TemplateEngine(int maxRenderedChars) {
    this.pebble =
        new PebbleEngine.Builder()
            .extension(new TemplateFunctions())
            .registerExtensionCustomizer(Sandbox::of)
            .strictVariables(true)
            .autoEscaping(false)
            .newLineTrimming(false)
            .cacheActive(false)
            .defaultLocale(Locale.ROOT)
            .methodAccessValidator((object, method) -> false)
            .maxRenderedSize(maxRenderedChars)
            .build();
  }

  /**
   * Renders each template (its Secret key to its text) over the value's keys. {@code salts} keys
   * the salts of hashes (bcrypt, htpasswd); null refuses them. Each rendering is handed to {@code
   * sink} as soon as it is made, which may refuse it (a Secret's size).
   *
   * @throws SecretsManagerException ValidationException naming the template's key and line and why,
   *     never a key of the value or a byte of it
   */
  public Map<String, String> render(
      Map<String, String> templates,
      Map<String, String> keys,
      KeyedHash salts,
      java.util.function.BiConsumer<String, String> sink) {
    Map<String, Object> variables = new HashMap<>(keys);
    // Sorted: printed or encoded, it is the same text on every render and in every JVM.
    variables.put(
        SECRET_VARIABLE, java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(keys)));
    Render render = new Render(salts);
    variables.put(Render.VARIABLE, render);
    Map<String, String> rendered = new LinkedHashMap<>();
    templates.forEach(
        (key, text) -> {
          String out = renderOne(key, text, variables);
          sink.accept(key, out);
          rendered.put(key, out);
        });
    return rendered;
  }

  /**
   * Parses and checks the template, then renders it. A refusal while parsing gives the template's
   * line: what it says depends on the template's text only. A refusal while rendering gives no line
   * and no kind of Java error: which line failed, on which value, would tell something of the
   * value.
   */
  private String renderOne(String key, String text, Map<String, Object> variables) {
    if (text.contains(INTERPOLATION)) {
      throw refused(
          key,
          null,
          "holds #{, string interpolation, which the template language does not have: print a"
              + " '#' before a '{' as {{ '#' }}{.");
    }
    PebbleTemplate template;
    try {
      TemplateShape.checkTokens(pebble, text);
      template = pebble.getLiteralTemplate(text);
    } catch (StackOverflowError e) {
      throw refused(key, null, "nests too deeply to be read.");
    } catch (RuntimeException e) {
      TemplateShape.Refused shape = cause(e, TemplateShape.Refused.class);
      if (shape != null) {
        throw refused(key, shape.line, shape.getMessage());
      }
      ParserException parse = cause(e, ParserException.class);
      throw refused(
          key,
          parse == null ? null : parse.getLineNumber(),
          "is not a valid template (a syntax error, or a tag, operator, filter or function the"
              + " template language does not have; see docs/TEMPLATES.md).");
    }
    StringWriter out = new StringWriter();
    try {
      template.evaluate(out, variables);
    } catch (StackOverflowError e) {
      throw refused(key, null, "can't be rendered from this value.");
    } catch (IOException | RuntimeException e) {
      throw refused(key, null, whyNot(e));
    }
    return out.toString();
  }

  /**
   * Why rendering failed, in words that name no variable (variable names are the value's keys),
   * hold no byte of the value and give no line.
   */
  private static String whyNot(Exception e) {
    TemplateException own = cause(e, TemplateException.class);
    if (own != null) {
      return own.getMessage();
    }
    if (cause(e, AttributeNotFoundException.class) != null) {
      return "reads a key the value does not have (give it a default with | default('...')).";
    }
    PebbleException pebble = cause(e, PebbleException.class);
    String message = pebble == null ? null : pebble.getPebbleMessage();
    if (message != null && message.startsWith("Tried to write more than")) {
      return "renders more characters than a Secret may hold.";
    }
    return "can't be rendered from this value.";
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static SecretsManagerException refused(String key, Integer line, String why) {
    return SecretsManagerException.validation(
        "target.templates.data."
            + key
            + (line == null || line < 1 ? "" : " (line " + line + ")")
            + ": the template "
            + why);
  }
}
