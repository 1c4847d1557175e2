package dev.managedsecrets.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.managedsecrets.cli.CliException;
import io.burt.jmespath.Expression;
import io.burt.jmespath.JmesPath;
import io.burt.jmespath.jackson.JacksonRuntime;
import java.io.PrintWriter;

/** Prints a response in the chosen format, after the --query expression, as the AWS CLI does. */
public final class Output {

  /** The formats of the AWS CLI's --output. */
  public enum Format {
    json,
    yaml,
    text,
    table
  }

  private static final JmesPath<JsonNode> JMESPATH = new JacksonRuntime();
  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .build());

  private Output() {}

  /** Parses a --query expression, refusing one that is not JMESPath as the AWS CLI does. */
  public static Expression<JsonNode> query(String expression) {
    if (expression == null) {
      return null;
    }
    try {
      return JMESPATH.compile(expression);
    } catch (RuntimeException e) {
      throw new CliException(
          CliException.USAGE,
          "Bad value for --query " + expression + ": " + firstLine(e.getMessage()));
    }
  }

  /**
   * Prints {@code response} (nothing when it is null: operations without output, as TagResource).
   */
  public static void print(
      JsonNode response, String operation, Format format, String query, PrintWriter out) {
    if (response == null) {
      return;
    }
    JsonNode result = response;
    Expression<JsonNode> expression = query(query);
    if (expression != null) {
      result = expression.search(response);
    }
    switch (format) {
      case json -> out.println(Json.print(result));
      case yaml -> out.print(yaml(result));
      case text -> out.print(Text.print(result));
      case table -> out.print(Table.print(operation, result));
    }
    out.flush();
  }

  public static String yaml(JsonNode node) {
    try {
      return YAML.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid expression";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
