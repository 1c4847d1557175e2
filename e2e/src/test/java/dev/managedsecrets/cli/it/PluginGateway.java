package dev.managedsecrets.cli.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.managedsecrets.cli.Cli;
import dev.managedsecrets.cli.Cli.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets AWS's SDK ask the kubectl plugin: each call the SDK sends (an operation and its JSON
 * request) becomes the plugin command a person would type, {@code <operation> --<member>=<value>
 * ...}, as the AWS CLI names them; what the plugin prints becomes the answer. An error the plugin
 * prints (AWS CLI's "An error occurred (Type) when calling the X operation: message") becomes AWS's
 * error body with that type and message. Nothing is answered here: every answer is the plugin's.
 *
 * <p>Two translations are needed because the plugin prints what the AWS CLI prints and the SDK
 * reads the wire: dates (the plugin prints ISO-8601, the wire has epoch seconds), and the HTTP
 * status of an error, which the plugin does not print (so it is 400 here, and not asserted through
 * the plugin).
 */
final class PluginGateway implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ERROR =
      Pattern.compile(
          "An error occurred \\(([A-Za-z]+)\\) when calling the ([A-Za-z]+) operation: (.*)",
          Pattern.DOTALL);

  private final HttpServer server;
  private final Cli cli;
  private final List<String> options;

  /** {@code options}: what every command gets, e.g. {@code --service-account} and the endpoint. */
  PluginGateway(Cli cli, List<String> options) {
    this.cli = cli;
    this.options = List.copyOf(options);
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String operation = target.substring(target.indexOf('.') + 1);
      JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
      List<String> args = new ArrayList<>();
      args.add(kebab(operation));
      args.addAll(arguments(request));
      args.addAll(options);
      args.addAll(List.of("--output", "json"));
      Result result = cli.run(args.toArray(String[]::new));
      int status;
      String body;
      if (result.code() == 0) {
        status = 200;
        body =
            result.out().isBlank()
                ? "{}"
                : JSON.writeValueAsString(epochDates(JSON.readTree(result.out())));
      } else {
        Matcher m = ERROR.matcher(result.err().strip());
        if (m.matches()) {
          status = 400;
          body = JSON.writeValueAsString(Map.of("__type", m.group(1), "message", m.group(3)));
        } else {
          status = 500; // not an AWS error: the SDK fails the row with the plugin's output
          body =
              JSON.writeValueAsString(
                  Map.of("__type", "PluginFailed", "message", args + "\n" + result));
        }
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  /**
   * The request's members as the AWS CLI takes them: {@code --member=value} for a scalar, a flag or
   * its {@code --no-} form for a boolean, the items of a list of strings as separate words, and
   * JSON for a structure or a list of structures.
   */
  static List<String> arguments(JsonNode request) {
    List<String> args = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> fields = request.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String option = kebab(f.getKey());
      JsonNode v = f.getValue();
      if (v.isBoolean()) {
        args.add(v.asBoolean() ? "--" + option : "--no-" + option);
      } else if (v.isArray() && allText(v)) {
        args.add("--" + option);
        v.forEach(item -> args.add(item.asText()));
      } else if (v.isContainerNode()) {
        args.add("--" + option + "=" + v);
      } else {
        args.add("--" + option + "=" + v.asText());
      }
    }
    return args;
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode item : array) {
      if (!item.isTextual()) {
        return false;
      }
    }
    return true;
  }

  /** GetSecretValue -> get-secret-value, SecretId -> secret-id. */
  static String kebab(String name) {
    return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
  }

  /** The plugin's dates (ISO-8601, as the AWS CLI prints them) as the wire's epoch seconds. */
  static JsonNode epochDates(JsonNode node) {
    if (node instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (f.getKey().endsWith("Date") && f.getValue().isTextual()) {
          long millis = OffsetDateTime.parse(f.getValue().asText()).toInstant().toEpochMilli();
          f.setValue(o.numberNode(BigDecimal.valueOf(millis, 3)));
        } else {
          epochDates(f.getValue());
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(PluginGateway::epochDates);
    }
    return node;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
