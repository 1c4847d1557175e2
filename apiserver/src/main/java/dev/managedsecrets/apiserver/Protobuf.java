package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Request bodies in the API server's protobuf encoding ({@code
 * application/vnd.kubernetes.protobuf}), read with Kubernetes' published message model
 * (io.kubernetes:client-java-proto) into the JSON object they stand for. client-go sends the
 * built-in kinds this way: Helm its release Secrets (create, update, delete), kubectl the objects
 * of {@code create secret|configmap|namespace} and the reviews of {@code create token} and {@code
 * auth can-i|whoami}.
 *
 * <p>A body is the magic bytes {@code k8s\0} and a runtime.Unknown: typeMeta (apiVersion, kind) and
 * raw, the object's own message. Only the kinds of {@code SERVED} are read, always with {@link
 * DynamicMessage} by their descriptors (the generated classes' own parsers are pre-22 gencode that
 * protobuf-java warns about, once per type); any other kind is 415 UnsupportedMediaType.
 */
final class Protobuf {

  static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);

  /** A served kind: the group/version it is read in, and its message's descriptor. */
  private record Served(String apiVersion, Descriptor descriptor) {}

  /** The kinds read from protobuf, by kind (the allow-list). */
  private static final Map<String, Served> SERVED = new LinkedHashMap<>();

  static {
    serve("v1", V1.getDescriptor(), "Secret", "ConfigMap", "Namespace");
    serve("meta.k8s.io/v1", Meta.getDescriptor(), "DeleteOptions");
    serve(
        "authentication.k8s.io/v1",
        V1Authentication.getDescriptor(),
        "TokenRequest",
        "TokenReview",
        "SelfSubjectReview");
    serve(
        "authorization.k8s.io/v1",
        V1Authorization.getDescriptor(),
        "SubjectAccessReview",
        "LocalSubjectAccessReview",
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview");
  }

  private static void serve(String apiVersion, FileDescriptor file, String... kinds) {
    for (String kind : kinds) {
      SERVED.put(kind, new Served(apiVersion, file.findMessageTypeByName(kind)));
    }
  }

  private Protobuf() {}

  /** A body's envelope: the apiVersion and kind it declares (empty when not), and the object. */
  record Decoded(String apiVersion, String kind, ByteString raw) {}

  /** The envelope of a body; 400 BadRequest without the magic prefix or when malformed. */
  static Decoded read(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, 4)) {
      throw ApiException.badRequest("the protobuf body has no k8s magic prefix");
    }
    Descriptor unknown =
        io.kubernetes.client.proto.Runtime.getDescriptor().findMessageTypeByName("Unknown");
    DynamicMessage envelope =
        parse(unknown, ByteString.copyFrom(body, MAGIC.length, body.length - MAGIC.length));
    Message typeMeta = (Message) envelope.getField(unknown.findFieldByName("typeMeta"));
    Descriptor type = typeMeta.getDescriptorForType();
    return new Decoded(
        (String) typeMeta.getField(type.findFieldByName("apiVersion")),
        (String) typeMeta.getField(type.findFieldByName("kind")),
        (ByteString) envelope.getField(unknown.findFieldByName("raw")));
  }

  /**
   * The object of a body, as JSON with its apiVersion and kind, when it is the kind {@code
   * expected}: a body that declares no type is taken for one. 415 UnsupportedMediaType for a kind
   * not served, 400 BadRequest for another served kind or version, or a malformed body.
   */
  static ObjectNode object(byte[] body, String expected) {
    Decoded decoded = read(body);
    String kind = decoded.kind().isEmpty() ? expected : decoded.kind();
    Served served = SERVED.get(kind);
    if (served == null) {
      throw unsupported(kind);
    }
    String apiVersion = decoded.apiVersion().isEmpty() ? served.apiVersion() : decoded.apiVersion();
    if (!kind.equals(expected)) {
      throw ApiException.badRequest(
          "the kind in the data ("
              + kind
              + ") does not match the expected kind ("
              + expected
              + ")");
    }
    // DeleteOptions are registered in every group version (client-go sends them in the
    // resource's); the others only in their own.
    if (!apiVersion.equals(served.apiVersion())
        && !(kind.equals("DeleteOptions") && apiVersion.matches("([a-z0-9.-]+/)?v1"))) {
      throw ApiException.badRequest(
          "the API version in the data ("
              + apiVersion
              + ") does not match the expected API version ("
              + served.apiVersion()
              + ")");
    }
    ObjectNode out = NODES.objectNode().put("apiVersion", apiVersion).put("kind", kind);
    out.setAll(toJson(parse(served.descriptor(), decoded.raw())));
    return out;
  }

  /** 415 UnsupportedMediaType for a protobuf body of {@code what} (a kind, or a request). */
  static ApiException unsupported(String what) {
    return ApiException.unsupportedMediaType(
        "the embedded API server reads "
            + CONTENT_TYPE
            + " bodies only for "
            + String.join(", ", SERVED.keySet())
            + ", not for "
            + what
            + "; send JSON");
  }

  private static DynamicMessage parse(Descriptor type, ByteString bytes) {
    try {
      return DynamicMessage.parseFrom(type, bytes);
    } catch (InvalidProtocolBufferException e) {
      throw ApiException.badRequest("the protobuf body is malformed");
    }
  }

  /**
   * A message as the JSON Kubernetes gives its Go type: fields by their JSON names, only those
   * present. client-go writes every field that is not a pointer in Go, zero or not, so an empty
   * string or a zero number is left out (as the JSON's omitempty leaves it), while a bool present
   * is kept ({@code immutable: false} is not {@code immutable} absent).
   */
  static ObjectNode toJson(Message message) {
    ObjectNode out = NODES.objectNode();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      String name = jsonName(field);
      if (field.isMapField()) {
        List<?> entries = (List<?>) message.getField(field);
        if (!entries.isEmpty()) {
          ObjectNode map = out.putObject(name);
          for (Object entry : entries) {
            Message e = (Message) entry;
            FieldDescriptor key = e.getDescriptorForType().findFieldByNumber(1);
            FieldDescriptor value = e.getDescriptorForType().findFieldByNumber(2);
            map.set(String.valueOf(e.getField(key)), value(value, e.getField(value)));
          }
        }
      } else if (field.isRepeated()) {
        List<?> items = (List<?>) message.getField(field);
        if (!items.isEmpty()) {
          ArrayNode array = out.putArray(name);
          items.forEach(item -> array.add(value(field, item)));
        }
      } else if (message.hasField(field)) {
        JsonNode value = value(field, message.getField(field));
        boolean zero =
            field.getJavaType() != FieldDescriptor.JavaType.MESSAGE
                && ((value.isTextual() && value.asText().isEmpty())
                    || (value.isNumber() && value.asDouble() == 0));
        if (!value.isNull() && !zero) {
          out.set(name, value);
        }
      }
    }
    return out;
  }

  /** One value of a field; a JSON null for a zero Time (which Go's JSON writes as null). */
  private static JsonNode value(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case MESSAGE -> message((Message) value);
      case BYTE_STRING -> NODES.textNode(Base64.getEncoder().encodeToString(bytes(value)));
      case STRING -> NODES.textNode((String) value);
      case BOOLEAN -> NODES.booleanNode((Boolean) value);
      case INT -> NODES.numberNode((Integer) value);
      case LONG -> number((Long) value);
      case FLOAT -> NODES.numberNode((Float) value);
      case DOUBLE -> NODES.numberNode((Double) value);
      case ENUM -> NODES.textNode(value.toString());
    };
  }

  /** An int64 as JSON parsing would make it: an int when it fits one. */
  private static JsonNode number(long value) {
    return value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value);
  }

  /** A message, or what Kubernetes' special types stand for in JSON. */
  private static JsonNode message(Message m) {
    Descriptor type = m.getDescriptorForType();
    String name = type.getFullName();
    if (name.equals(META + "Time") || name.equals(META + "MicroTime")) {
      if (m.getAllFields().isEmpty()) {
        return NODES.nullNode();
      }
      long seconds = (Long) field(m, 1);
      int nanos = (Integer) field(m, 2);
      Instant at = Instant.ofEpochSecond(seconds, name.endsWith("MicroTime") ? nanos : 0);
      return NODES.textNode(
          name.endsWith("MicroTime")
              ? MICRO_TIME.format(at)
              : DateTimeFormatter.ISO_INSTANT.format(at));
    }
    return switch (name) {
      case "k8s.io.apimachinery.pkg.util.intstr.IntOrString" ->
          ((Long) field(m, 1)) == 1
              ? NODES.textNode((String) field(m, 3))
              : NODES.numberNode((Integer) field(m, 2));
      case "k8s.io.apimachinery.pkg.api.resource.Quantity" -> NODES.textNode((String) field(m, 1));
      case "k8s.io.apimachinery.pkg.runtime.RawExtension", META + "FieldsV1" ->
          rawJson(bytes(field(m, 1)));
      case "k8s.io.api.authentication.v1.ExtraValue", "k8s.io.api.authorization.v1.ExtraValue" -> {
        // a named []string: JSON has the list itself
        ArrayNode items = NODES.arrayNode();
        ((List<?>) field(m, 1)).forEach(item -> items.add((String) item));
        yield items;
      }
      default -> toJson(m);
    };
  }

  /** A field of a special type's message, by number (FieldsV1 names its bytes Raw, not raw). */
  private static Object field(Message m, int number) {
    return m.getField(m.getDescriptorForType().findFieldByNumber(number));
  }

  /**
   * A field's name in JSON: its proto name (client-java-proto's), but where the Go JSON tag is not
   * what go-to-protobuf made of the Go field's name (BoundObjectReference's {@code UID}).
   */
  static String jsonName(FieldDescriptor field) {
    return field.getName().equals("uID") ? "uid" : field.getJsonName();
  }

  private static JsonNode rawJson(byte[] raw) {
    if (raw.length == 0) {
      return NODES.nullNode();
    }
    try {
      return JSON.readTree(raw);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("an embedded object of the protobuf body is not JSON");
    } catch (IOException e) {
      throw ApiException.badRequest("the protobuf body is malformed");
    }
  }

  private static byte[] bytes(Object value) {
    return ((ByteString) value).toByteArray();
  }
}
