package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Just enough of the API server's protobuf encoding to read a field of a request body: kubectl
 * sends the built-in kinds it makes itself (a SelfSubjectRulesReview for {@code auth can-i --list})
 * as {@code application/vnd.kubernetes.protobuf}, and reads a JSON answer as well.
 *
 * <p>Such a body is the magic bytes {@code k8s\0} and a runtime.Unknown message whose field 2 holds
 * the object's own message, whose fields are those of its Go type, numbered as in its
 * generated.proto.
 *
 * <p>kubectl's {@code create} generators send the objects they make the same way: {@link
 * #coreObject} reads the three a newcomer makes first (a Secret, a ConfigMap, a Namespace) into the
 * JSON object they stand for; {@link #review} reads the requests of {@code kubectl create token}
 * and {@code kubectl auth can-i|whoami} (and of any client-go program): TokenRequest, TokenReview,
 * the access and rules reviews and SelfSubjectReview.
 */
final class Protobuf {

  static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private Protobuf() {}

  /** The object's message inside an encoded body. */
  static byte[] object(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, 4)) {
      throw ApiException.badRequest("the protobuf body has no k8s magic prefix");
    }
    byte[] object = field(Arrays.copyOfRange(body, MAGIC.length, body.length), 2);
    return object == null ? new byte[0] : object;
  }

  /**
   * The text at a path of length-delimited fields, e.g. {@code text(review, 2, 1)} for
   * spec.namespace; null when a field on the way is absent.
   */
  static String text(byte[] message, int... path) {
    byte[] at = message;
    for (int number : path) {
      at = field(at, number);
      if (at == null) {
        return null;
      }
    }
    return new String(at, StandardCharsets.UTF_8);
  }

  /** One field of a message: its number, and its bytes (length-delimited) or its value. */
  record Field(int number, byte[] bytes, long value) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** Every field of a message, in order. */
  static List<Field> fields(byte[] message) {
    List<Field> out = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < message.length) {
      long tag = varint(message, pos);
      int wireType = (int) (tag & 7);
      int number = (int) (tag >>> 3);
      switch (wireType) {
        case 0 -> out.add(new Field(number, null, varint(message, pos)));
        case 1 -> skip(message, pos, 8);
        case 5 -> skip(message, pos, 4);
        case 2 -> {
          long length = varint(message, pos);
          if (length < 0 || length > message.length - pos[0]) {
            throw malformed();
          }
          int start = pos[0];
          pos[0] += (int) length;
          out.add(new Field(number, Arrays.copyOfRange(message, start, pos[0]), 0));
        }
        default -> throw malformed();
      }
    }
    return out;
  }

  /**
   * A core/v1 Secret, ConfigMap or Namespace sent in protobuf, as the JSON object it stands for;
   * null for any other resource. Fields a create generator does not set (uid, owner references,
   * status) are not read.
   */
  static ObjectNode coreObject(String resource, byte[] body) {
    String kind =
        switch (resource) {
          case "secrets" -> "Secret";
          case "configmaps" -> "ConfigMap";
          case "namespaces" -> "Namespace";
          default -> null;
        };
    if (kind == null) {
      return null;
    }
    ObjectNode out =
        JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", kind);
    for (Field f : fields(object(body))) {
      if (f.bytes() == null) {
        if ((kind.equals("Secret") && f.number() == 5)
            || (kind.equals("ConfigMap") && f.number() == 4)) {
          out.put("immutable", f.value() != 0);
        }
        continue;
      }
      switch (kind + ":" + f.number()) {
        case "Secret:1", "ConfigMap:1", "Namespace:1" -> out.set("metadata", metadata(f.bytes()));
        case "Secret:2", "ConfigMap:3" ->
            entry(out, kind.equals("Secret") ? "data" : "binaryData", f.bytes(), true);
        case "Secret:3" -> out.put("type", f.text());
        case "Secret:4" -> entry(out, "stringData", f.bytes(), false);
        case "ConfigMap:2" -> entry(out, "data", f.bytes(), false);
        case "Namespace:2" -> {
          for (Field finalizer : fields(f.bytes())) {
            if (finalizer.number() == 1 && finalizer.bytes() != null) {
              out.withObjectProperty("spec").withArrayProperty("finalizers").add(finalizer.text());
            }
          }
        }
        default -> {}
      }
    }
    return out;
  }

  /** How one field of a message is read into JSON: its name, and the shape of its value. */
  private record Shape(String name, Kind kind, Map<Integer, Shape> fields) {}

  private enum Kind {
    TEXT,
    TEXTS,
    INT,
    MESSAGE,
    EXTRA
  }

  private static Shape textField(String name) {
    return new Shape(name, Kind.TEXT, Map.of());
  }

  private static Shape textsField(String name) {
    return new Shape(name, Kind.TEXTS, Map.of());
  }

  private static Shape messageField(String name, Map<Integer, Shape> fields) {
    return new Shape(name, Kind.MESSAGE, fields);
  }

  private static final Map<Integer, Shape> RESOURCE_ATTRIBUTES =
      Map.of(
          1, textField("namespace"),
          2, textField("verb"),
          3, textField("group"),
          4, textField("version"),
          5, textField("resource"),
          6, textField("subresource"),
          7, textField("name"));

  private static final Map<Integer, Shape> SELF_ACCESS =
      Map.of(
          1,
          messageField("resourceAttributes", RESOURCE_ATTRIBUTES),
          2,
          messageField(
              "nonResourceAttributes", Map.of(1, textField("path"), 2, textField("verb"))));

  private static final Map<Integer, Shape> ACCESS =
      Map.of(
          1, SELF_ACCESS.get(1),
          2, SELF_ACCESS.get(2),
          3, textField("user"),
          4, textsField("groups"),
          5, new Shape("extra", Kind.EXTRA, Map.of()),
          6, textField("uid"));

  /** The spec of each review kind, as authentication/v1 and authorization/v1 number it. */
  private static final Map<String, Map<Integer, Shape>> REVIEW_SPECS =
      Map.of(
          "TokenRequest",
          Map.of(
              1,
              textsField("audiences"),
              3,
              messageField(
                  "boundObjectRef",
                  Map.of(
                      1,
                      textField("kind"),
                      2,
                      textField("apiVersion"),
                      3,
                      textField("name"),
                      4,
                      textField("uid"))),
              4,
              new Shape("expirationSeconds", Kind.INT, Map.of())),
          "TokenReview",
          Map.of(1, textField("token"), 2, textsField("audiences")),
          "SelfSubjectReview",
          Map.of(),
          "SubjectAccessReview",
          ACCESS,
          "LocalSubjectAccessReview",
          ACCESS,
          "SelfSubjectAccessReview",
          SELF_ACCESS,
          "SelfSubjectRulesReview",
          Map.of(1, textField("namespace")));

  /**
   * A review request of this kind (TokenRequest, TokenReview, SubjectAccessReview, ...) sent in
   * protobuf, as the JSON object it stands for: metadata and spec.
   */
  static ObjectNode review(String kind, String apiVersion, byte[] body) {
    Map<Integer, Shape> spec = REVIEW_SPECS.get(kind);
    if (spec == null) {
      throw new IllegalArgumentException("no review kind " + kind);
    }
    ObjectNode out =
        JsonNodeFactory.instance.objectNode().put("apiVersion", apiVersion).put("kind", kind);
    for (Field f : fields(object(body))) {
      if (f.bytes() == null) {
        continue;
      }
      if (f.number() == 1) {
        out.set("metadata", metadata(f.bytes()));
      } else if (f.number() == 2) {
        out.set("spec", read(f.bytes(), spec));
      }
    }
    return out;
  }

  private static ObjectNode read(byte[] message, Map<Integer, Shape> shapes) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Field f : fields(message)) {
      Shape shape = shapes.get(f.number());
      if (shape == null || (shape.kind() == Kind.INT) == (f.bytes() != null)) {
        continue;
      }
      switch (shape.kind()) {
        case TEXT -> out.put(shape.name(), f.text());
        case TEXTS -> out.withArrayProperty(shape.name()).add(f.text());
        case INT -> out.put(shape.name(), f.value());
        case MESSAGE -> out.set(shape.name(), read(f.bytes(), shape.fields()));
        case EXTRA -> {
          Entry entry = entry(f.bytes());
          ArrayNode items = out.withObjectProperty(shape.name()).putArray(entry.key());
          for (Field item : fields(entry.value())) {
            if (item.number() == 1 && item.bytes() != null) {
              items.add(item.text());
            }
          }
        }
      }
    }
    return out;
  }

  /** ObjectMeta: name 1, generateName 2, namespace 3, labels 11, annotations 12, finalizers 14. */
  private static ObjectNode metadata(byte[] message) {
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    for (Field f : fields(message)) {
      if (f.bytes() == null) {
        continue;
      }
      switch (f.number()) {
        case 1 -> meta.put("name", f.text());
        case 2 -> meta.put("generateName", f.text());
        case 3 -> meta.put("namespace", f.text());
        case 11 -> entry(meta, "labels", f.bytes(), false);
        case 12 -> entry(meta, "annotations", f.bytes(), false);
        case 14 -> meta.withArrayProperty("finalizers").add(f.text());
        default -> {}
      }
    }
    return meta;
  }

  /** One entry of a map field (key 1, value 2) into {@code object.field}; bytes as base64. */
  private static void entry(ObjectNode object, String field, byte[] message, boolean bytes) {
    Entry entry = entry(message);
    String key = entry.key();
    byte[] value = entry.value();
    object
        .withObjectProperty(field)
        .put(
            key,
            bytes
                ? Base64.getEncoder().encodeToString(value)
                : new String(value, StandardCharsets.UTF_8));
  }

  /** One entry of a map field: its key (1) and its value's bytes (2). */
  private record Entry(String key, byte[] value) {}

  private static Entry entry(byte[] message) {
    String key = null;
    byte[] value = new byte[0];
    for (Field f : fields(message)) {
      if (f.number() == 1 && f.bytes() != null) {
        key = f.text();
      } else if (f.number() == 2 && f.bytes() != null) {
        value = f.bytes();
      }
    }
    if (key == null) {
      throw malformed();
    }
    return new Entry(key, value);
  }

  /** The first length-delimited field with this number, or null. */
  static byte[] field(byte[] message, int number) {
    for (Field f : fields(message)) {
      if (f.number() == number && f.bytes() != null) {
        return f.bytes();
      }
    }
    return null;
  }

  private static long varint(byte[] message, int[] pos) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= message.length) {
        throw malformed();
      }
      byte b = message[pos[0]++];
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw malformed();
  }

  private static void skip(byte[] message, int[] pos, int bytes) {
    if (bytes > message.length - pos[0]) {
      throw malformed();
    }
    pos[0] += bytes;
  }

  private static ApiException malformed() {
    return ApiException.badRequest("the protobuf body is malformed");
  }
}
