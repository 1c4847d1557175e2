package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A request's JSON body (AWS JSON 1.1): its members read by type, as AWS's service frameworks read
 * them. Malformed JSON and a member of the wrong type are SerializationException; a value out of
 * its bounds is ValidationException with AWS's wording. A member's value is never part of a
 * message.
 */
final class Input {

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(32)
                      .maxStringLength(HttpFront.MAX_BODY_BYTES)
                      .maxNumberLength(32)
                      .build())
              .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .build());

  private final ObjectNode body;

  private Input(ObjectNode body) {
    this.body = body;
  }

  /** The body as one JSON object (an empty body is an empty object, as AWS reads it). */
  static Input parse(byte[] bytes) {
    if (bytes.length == 0) {
      return new Input(JSON.createObjectNode());
    }
    JsonNode node;
    try (JsonParser parser = JSON.createParser(bytes)) {
      node = JSON.readTree(parser);
      if (parser.nextToken() != null) {
        throw AwsException.serialization("Unexpected content after the JSON object.");
      }
    } catch (IOException e) {
      throw AwsException.serialization("The request body is not valid JSON.");
    }
    if (node == null || !node.isObject()) {
      throw AwsException.serialization("The request body must be a JSON object.");
    }
    return new Input((ObjectNode) node);
  }

  static Input of(ObjectNode body) {
    return new Input(body);
  }

  ObjectNode body() {
    return body;
  }

  boolean has(String member) {
    JsonNode n = body.get(member);
    return n != null && !n.isNull();
  }

  /** A string member, or null when absent. */
  String string(String member) {
    JsonNode n = member(member);
    if (n == null) {
      return null;
    }
    if (!n.isTextual()) {
      throw wrongType(member, "a string");
    }
    return n.textValue();
  }

  /** A required string member of {@code min}-{@code max} characters. */
  String required(String member, int min, int max) {
    String value = string(member);
    if (value == null) {
      throw AwsException.validation(
          "1 validation error detected: Value null at '"
              + camel(member)
              + "' failed to satisfy constraint: Member must not be null");
    }
    return length(member, value, min, max);
  }

  /** An optional string member of {@code min}-{@code max} characters, or null. */
  String optional(String member, int min, int max) {
    String value = string(member);
    return value == null ? null : length(member, value, min, max);
  }

  Integer integer(String member) {
    JsonNode n = member(member);
    if (n == null) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw wrongType(member, "an integer");
    }
    return n.intValue();
  }

  /** An optional integer member within {@code min}-{@code max}, or null. */
  Integer integer(String member, int min, int max) {
    Integer value = integer(member);
    if (value != null && value < min) {
      throw AwsException.validation(
          "1 validation error detected: Value '"
              + value
              + "' at '"
              + camel(member)
              + "' failed to satisfy constraint: Member must have value greater than or equal to "
              + min);
    }
    if (value != null && value > max) {
      throw AwsException.validation(
          "1 validation error detected: Value '"
              + value
              + "' at '"
              + camel(member)
              + "' failed to satisfy constraint: Member must have value less than or equal to "
              + max);
    }
    return value;
  }

  Long number(String member) {
    JsonNode n = member(member);
    if (n == null) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw wrongType(member, "an integer");
    }
    return n.longValue();
  }

  boolean bool(String member) {
    JsonNode n = member(member);
    if (n == null) {
      return false;
    }
    if (!n.isBoolean()) {
      throw wrongType(member, "a boolean");
    }
    return n.booleanValue();
  }

  /** A boolean member, or null when absent. */
  Boolean optionalBool(String member) {
    return has(member) ? bool(member) : null;
  }

  /** A blob member (base64 in JSON), or null. */
  byte[] blob(String member) {
    String text = string(member);
    if (text == null) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw AwsException.serialization("Member " + member + " is not valid base64.");
    }
  }

  /** A list of strings, each of {@code min}-{@code max} characters, at most {@code most}. */
  List<String> strings(String member, int most, int min, int max) {
    List<JsonNode> items = list(member, most);
    if (items == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : items) {
      if (!item.isTextual()) {
        throw wrongType(member, "a list of strings");
      }
      out.add(length(member, item.textValue(), min, max));
    }
    return out;
  }

  /** A structure member, or null when absent. */
  Input structure(String member) {
    JsonNode n = member(member);
    if (n == null) {
      return null;
    }
    if (!n.isObject()) {
      throw wrongType(member, "a structure");
    }
    return new Input((ObjectNode) n);
  }

  /** A list of structures, at most {@code most}, or null when absent. */
  List<Input> structures(String member, int most) {
    List<JsonNode> items = list(member, most);
    if (items == null) {
      return null;
    }
    List<Input> out = new ArrayList<>();
    for (JsonNode item : items) {
      if (!item.isObject()) {
        throw wrongType(member, "a list of structures");
      }
      out.add(new Input((ObjectNode) item));
    }
    return out;
  }

  private List<JsonNode> list(String member, int most) {
    JsonNode n = member(member);
    if (n == null) {
      return null;
    }
    if (!n.isArray()) {
      throw wrongType(member, "a list");
    }
    if (n.size() > most) {
      throw AwsException.validation(
          "1 validation error detected: Value at '"
              + camel(member)
              + "' failed to satisfy constraint: Member must have length less than or equal to "
              + most);
    }
    List<JsonNode> out = new ArrayList<>();
    n.forEach(out::add);
    return out;
  }

  private JsonNode member(String member) {
    JsonNode n = body.get(member);
    return n == null || n.isNull() ? null : n;
  }

  /** AWS's wording for a string outside its length bounds; never the value. */
  static String length(String member, String value, int min, int max) {
    int length = value.length();
    if (length < min || length > max) {
      throw AwsException.validation(
          "1 validation error detected: Value at '"
              + camel(member)
              + "' failed to satisfy constraint: Member must have length "
              + (min > 0 ? "between " + min + " and " + max : "less than or equal to " + max));
    }
    return value;
  }

  private static AwsException wrongType(String member, String kind) {
    return AwsException.serialization("Member " + member + " must be " + kind + ".");
  }

  /** AWS names members in messages with a lowercase first letter (secretId). */
  static String camel(String member) {
    return Character.toLowerCase(member.charAt(0)) + member.substring(1);
  }
}
