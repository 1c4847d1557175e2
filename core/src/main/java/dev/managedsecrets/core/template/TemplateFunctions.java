package dev.managedsecrets.core.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.extension.core.DefaultFilter;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The template library's functions: escaping, encodings, JSON, text, defaults, PEM, Docker registry
 * credentials and bcrypt. Each is deterministic (the same input renders the same bytes, a hash's
 * salt coming from the operator's keyed hash of its input) and charges an upper bound of what it
 * makes to the projection's {@link RenderBudget} before making it. Their messages name the function
 * and never a key or a byte of a value.
 */
final class TemplateFunctions extends AbstractExtension {

  /** JSON nested at most this deep: reading and writing it recurse once per level. */
  static final int MAX_JSON_DEPTH = 64;

  /**
   * What {@code fromJson} charges per character it reads: the objects it makes take about 25 bytes
   * of heap per character of JSON such as {@code [{},{},...]}.
   */
  static final int FROM_JSON_GROWTH = 16;

  private static final ObjectMapper JSON =
      new ObjectMapper(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .streamReadConstraints(
                  com.fasterxml.jackson.core.StreamReadConstraints.builder()
                      .maxNestingDepth(MAX_JSON_DEPTH)
                      .build())
              .build());

  /** The longest password bcrypt hashes: it reads 72 bytes and no more. */
  private static final int BCRYPT_MAX_BYTES = 72;

  private static final int BCRYPT_DEFAULT_COST = 10;
  private static final int BCRYPT_MIN_COST = 4;
  private static final int BCRYPT_MAX_COST = 12;

  @Override
  public Map<String, Filter> getFilters() {
    Map<String, Filter> filters = new LinkedHashMap<>();
    filters.put("urlencode", text("urlencode", 9, TemplateFunctions::percentEncode));
    filters.put("urlquery", text("urlquery", 9, s -> URLEncoder.encode(s, StandardCharsets.UTF_8)));
    filters.put(
        "b64enc",
        text(
            "b64enc",
            4,
            s -> Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8))));
    filters.put("b64dec", text("b64dec", 1, TemplateFunctions::base64Decode));
    filters.put("upper", text("upper", 3, s -> s.toUpperCase(Locale.ROOT)));
    filters.put("lower", text("lower", 3, s -> s.toLowerCase(Locale.ROOT)));
    filters.put("trim", text("trim", 1, String::strip));
    filters.put("pemCertificates", text("pemCertificates", 2, s -> pem(s, "CERTIFICATE"::equals)));
    filters.put(
        "pemPrivateKey",
        text("pemPrivateKey", 2, s -> first(pem(s, t -> t.endsWith("PRIVATE KEY")))));
    filters.put("pem", filter(List.of("type"), TemplateFunctions::pemOfType));
    filters.put("toJson", filter(null, TemplateFunctions::toJson));
    filters.put("fromJson", filter(null, TemplateFunctions::fromJson));
    filters.put("join", filter(List.of("separator"), TemplateFunctions::join));
    filters.put("bcrypt", filter(List.of("cost"), TemplateFunctions::bcryptFilter));
    filters.put("default", new DefaultFilter());
    return filters;
  }

  @Override
  public Map<String, Function> getFunctions() {
    return Map.of(
        "dockerConfigJson",
        function(List.of("registry", "username", "password"), TemplateFunctions::dockerConfigJson),
        "htpasswd",
        function(List.of("username", "password", "cost"), TemplateFunctions::htpasswd));
  }

  @Override
  public List<io.pebbletemplates.pebble.extension.NodeVisitorFactory> getNodeVisitors() {
    return List.of(TemplateShape.visitors(getFilters(), getFunctions()));
  }

  @Override
  public List<io.pebbletemplates.pebble.attributes.AttributeResolver> getAttributeResolver() {
    return List.of(Sandbox.attributes());
  }

  /** What a filter does with its input, its arguments and the projection's rendering. */
  private interface FilterBody {
    Object apply(Object input, Map<String, Object> args, Render render);
  }

  /** What a function does with its arguments and the projection's rendering. */
  private interface FunctionBody {
    Object apply(Map<String, Object> args, Render render);
  }

  private static Filter filter(List<String> argumentNames, FilterBody body) {
    return new Filter() {
      @Override
      public List<String> getArgumentNames() {
        return argumentNames;
      }

      @Override
      public Object apply(
          Object input,
          Map<String, Object> args,
          PebbleTemplate self,
          EvaluationContext context,
          int line) {
        return body.apply(input, args, Render.of(context));
      }
    };
  }

  private static Function function(List<String> argumentNames, FunctionBody body) {
    return new Function() {
      @Override
      public List<String> getArgumentNames() {
        return argumentNames;
      }

      @Override
      public Object execute(
          Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int line) {
        return body.apply(args, Render.of(context));
      }
    };
  }

  /** A filter of one text to one text, whose output is at most {@code growth} times its input. */
  private static Filter text(
      String name, int growth, java.util.function.Function<String, String> f) {
    return filter(
        null,
        (input, args, render) -> {
          String s = textOf(name, input);
          render.budget.charge(name, (long) growth * s.length() + 64);
          return f.apply(s);
        });
  }

  /** A value as text: a key's text, a number or a boolean; a JSON object or list is refused. */
  static String textOf(String function, Object input) {
    if (input == null) {
      throw new TemplateException(
          function + " was given nothing (null): give it a key, or a default first.");
    }
    if (input instanceof String s) {
      return s;
    }
    if (input instanceof Number || input instanceof Boolean) {
      return String.valueOf(input);
    }
    throw new TemplateException(
        function + " takes text: pass a JSON object or list through toJson first.");
  }

  /** RFC 3986 percent-encoding of all but the unreserved characters: safe in any URL part. */
  static String percentEncode(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static String base64Decode(String s) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(s.strip());
    } catch (IllegalArgumentException e) {
      throw new TemplateException("b64dec was given text that is not base64.");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new TemplateException(
          "b64dec decoded bytes that are not UTF-8 text; a template makes text only.");
    }
  }

  /** The PEM blocks of {@code text} whose type passes, re-encoded, one after another. */
  private static String pem(String text, Predicate<String> type) {
    StringWriter out = new StringWriter();
    try (PemReader reader = new PemReader(new StringReader(text));
        PemWriter writer = new PemWriter(out)) {
      for (PemObject o = reader.readPemObject(); o != null; o = reader.readPemObject()) {
        if (type.test(o.getType())) {
          writer.writeObject(o);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new TemplateException("A pem function was given text that is not PEM.");
    }
    return out.toString();
  }

  private static String first(String blocks) {
    int end = blocks.indexOf("-----END ");
    return end < 0 ? blocks : blocks.substring(0, blocks.indexOf('\n', end) + 1);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new TemplateException("toJson can't encode this value.");
    }
  }

  private static String argument(String function, Map<String, Object> args, String name) {
    Object v = args.get(name);
    if (v == null) {
      throw new TemplateException(function + " needs its argument " + name + ".");
    }
    return textOf(function + "'s " + name, v);
  }

  private static int cost(String function, Object given) {
    if (given == null) {
      return BCRYPT_DEFAULT_COST;
    }
    if (!(given instanceof Number n)
        || n.doubleValue() != n.intValue()
        || n.intValue() < BCRYPT_MIN_COST
        || n.intValue() > BCRYPT_MAX_COST) {
      throw new TemplateException(
          function
              + "'s cost is a whole number from "
              + BCRYPT_MIN_COST
              + " to "
              + BCRYPT_MAX_COST
              + " (default "
              + BCRYPT_DEFAULT_COST
              + ").");
    }
    return n.intValue();
  }

  /** bcrypt in the $2y$ form that htpasswd, nginx and most web servers read. */
  private static String bcrypt(
      String function, Render render, String password, int cost, String... saltOf) {
    if (password.getBytes(StandardCharsets.UTF_8).length > BCRYPT_MAX_BYTES) {
      throw new TemplateException(
          function
              + " hashes passwords of at most "
              + BCRYPT_MAX_BYTES
              + " bytes (bcrypt reads no more): use a shorter one.");
    }
    render.budget.chargeBcrypt(cost);
    return OpenBSDBCrypt.generate(
        "2y", password.toCharArray(), render.salt(function, saltOf), cost);
  }

  /** {@code pem('CERTIFICATE')}: the PEM blocks of one type. */
  private static Object pemOfType(Object input, Map<String, Object> args, Render render) {
    String s = textOf("pem", input);
    String type = argument("pem", args, "type");
    render.budget.charge("pem", 2L * s.length() + 64);
    return pem(s, type::equals);
  }

  /** {@code toJson}: a value as JSON (a text becomes a quoted, escaped JSON string). */
  private static Object toJson(Object input, Map<String, Object> args, Render render) {
    render.budget.charge("toJson", jsonBound(input, 0));
    return json(input);
  }

  /**
   * The most characters {@code value} takes as JSON, found without writing it: a text's every
   * character escaped, and every separator. Only texts, numbers, booleans, lists and JSON objects
   * are written.
   */
  static long jsonBound(Object value, int depth) {
    if (depth > 2 * MAX_JSON_DEPTH) {
      throw new TemplateException(
          "toJson was given a value nested more than " + 2 * MAX_JSON_DEPTH + " deep.");
    }
    if (value == null) {
      return 4;
    }
    if (value instanceof String s) {
      return 6L * s.length() + 2;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value).length();
    }
    long bound = 2;
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        bound += jsonBound(String.valueOf(e.getKey()), depth + 1);
        bound += jsonBound(e.getValue(), depth + 1) + 2;
      }
      return bound;
    }
    if (value instanceof List<?> list) {
      for (Object item : list) {
        bound += jsonBound(item, depth + 1) + 1;
      }
      return bound;
    }
    throw new TemplateException(
        "toJson writes texts, numbers, booleans, lists and JSON objects only.");
  }

  /**
   * {@code fromJson}: a JSON text as objects, lists and texts that {@code .} and {@code []} read.
   */
  private static Object fromJson(Object input, Map<String, Object> args, Render render) {
    String s = textOf("fromJson", input);
    render.budget.charge("fromJson", (long) FROM_JSON_GROWTH * s.length());
    try {
      return JSON.readValue(s, Object.class);
    } catch (JsonProcessingException e) {
      throw new TemplateException(
          "fromJson was given text that is not JSON, or JSON nested more than "
              + MAX_JSON_DEPTH
              + " deep.");
    }
  }

  /** {@code join(separator)}: a list's items as text, one after another. */
  private static Object join(Object input, Map<String, Object> args, Render render) {
    if (!(input instanceof List<?> list)) {
      throw new TemplateException("join takes a list, such as [username, ':', password].");
    }
    String separator = args.get("separator") == null ? "" : textOf("join", args.get("separator"));
    List<String> items = new ArrayList<>(list.size());
    long length = 0;
    for (Object item : list) {
      String s = textOf("join", item);
      items.add(s);
      length += s.length() + separator.length();
    }
    render.budget.charge("join", length);
    return String.join(separator, items);
  }

  /** {@code password | bcrypt} or {@code bcrypt(12)}: a bcrypt hash. */
  private static Object bcryptFilter(Object input, Map<String, Object> args, Render render) {
    String password = textOf("bcrypt", input);
    return bcrypt("bcrypt", render, password, cost("bcrypt", args.get("cost")), password);
  }

  /** {@code htpasswd(username, password)}: one line of an htpasswd file, bcrypt-hashed. */
  private static Object htpasswd(Map<String, Object> args, Render render) {
    String username = argument("htpasswd", args, "username");
    String password = argument("htpasswd", args, "password");
    if (username.indexOf(':') >= 0 || username.indexOf('\n') >= 0) {
      throw new TemplateException("htpasswd's username can't hold ':' or a line break.");
    }
    render.budget.charge("htpasswd", username.length() + 61L);
    return username
        + ":"
        + bcrypt(
            "htpasswd", render, password, cost("htpasswd", args.get("cost")), username, password);
  }

  /**
   * {@code dockerConfigJson(registry, username, password)}: a {@code .dockerconfigjson} with one
   * registry's credentials and their {@code auth}, base64 of {@code username:password}.
   */
  private static Object dockerConfigJson(Map<String, Object> args, Render render) {
    String registry = argument("dockerConfigJson", args, "registry");
    String username = argument("dockerConfigJson", args, "username");
    String password = argument("dockerConfigJson", args, "password");
    render.budget.charge(
        "dockerConfigJson", 6L * (registry.length() + username.length() + password.length()) + 128);
    Map<String, String> entry = new LinkedHashMap<>();
    entry.put("username", username);
    entry.put("password", password);
    entry.put(
        "auth",
        Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    return json(Map.of("auths", Map.of(registry, entry)));
  }
}
