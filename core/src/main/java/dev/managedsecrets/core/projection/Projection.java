package dev.managedsecrets.core.projection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.SecretType;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.template.TemplateEngine;
import dev.managedsecrets.core.validation.SpecValidator;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The layout of the projected native Secret: its data for a value and a target, its labels and
 * annotations, and the keyed checksum that tells whether a live Secret still holds a projection
 * without decrypting the version. Building and writing the Secret is the operator's.
 */
public final class Projection {

  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "managedsecret-operator";
  public static final String SECRET_NAME_LABEL = "managedsecrets.dev/secret-name";
  public static final String VERSION_ANNOTATION = "managedsecrets.dev/version-id";
  public static final String TAGS_ANNOTATION = "managedsecrets.dev/tags";
  public static final String CHECKSUM_ANNOTATION = "managedsecrets.dev/checksum";
  public static final String PREVIOUS_VERSION_ANNOTATION = "managedsecrets.dev/previous-version-id";
  public static final String PREVIOUS_UNTIL_ANNOTATION = "managedsecrets.dev/previous-until";

  /** On a Secret kept by target.deletionPolicy Retain: the ManagedSecret that may take it back. */
  public static final String RETAINED_FROM_ANNOTATION = "managedsecrets.dev/retained-from";

  /**
   * Set by a Secret's owner on a Secret of theirs: the ManagedSecret whose keys are merged into it
   * (the opt-in; the operator never sets it).
   */
  public static final String MERGE_FROM_ANNOTATION = "managedsecrets.dev/merge-from";

  /** On a merged Secret: the keys the operator merged into it, sorted, comma-separated. */
  public static final String MANAGED_KEYS_ANNOTATION = "managedsecrets.dev/managed-keys";

  /**
   * The AWSPREVIOUS version projected beside the current one (target.previousValue): its VersionId,
   * the end of its grace period and the suffix of its keys. Known without decrypting it.
   */
  public record Previous(String versionId, Instant until, String keySuffix) {}

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /** The template language of target.templates; one template prints at most a Secret's size. */
  private static final TemplateEngine TEMPLATES = new TemplateEngine(SecretSize.MAX_BYTES);

  private final KeyedHash hash;
  private final KeyedHash templateSalts;

  public Projection(KeyedHash hash) {
    this.hash = hash;
    this.templateSalts = hash.derive("projection/template-salts");
  }

  /**
   * The Secret's data as the operator projects it: {@link #data(SecretValue, TargetSpec,
   * KeyedHash)} with the salts of the template language's hashes keyed by the operator's key.
   */
  public Map<String, byte[]> project(SecretValue value, TargetSpec target) {
    return data(value, target, templateSalts);
  }

  /**
   * The Secret's data: the keys of a JSON object value, or secretString / secretBinary, plus the
   * rendered template keys. Templates see only the value's own keys: they read nothing else. The
   * data is bounded as Kubernetes bounds a Secret ({@link SecretSize}): its size, rendered
   * templates included, is counted before any template is rendered.
   *
   * @throws SecretsManagerException ValidationException when the data would be larger than a Secret
   *     may be; InvalidParameterException when a template names a key the value lacks
   */
  public static Map<String, byte[]> data(SecretValue value, TargetSpec target) {
    return data(value, target, null);
  }

  /**
   * The Secret's data, target.templates rendered with {@code salts} keying the salts of hashes
   * (null: a template that hashes is refused, as only the operator holds the key).
   *
   * @throws SecretsManagerException ValidationException when the data would be larger than a Secret
   *     may be or a target.templates template can't be rendered; InvalidParameterException when a
   *     target.template names a key the value lacks
   */
  public static Map<String, byte[]> data(SecretValue value, TargetSpec target, KeyedHash salts) {
    Map<String, byte[]> data = new TreeMap<>();
    ObjectNode object = ValueAssembler.parseObject(value);
    if (object != null) {
      int position = 0;
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        position++;
        if (!SpecValidator.isSecretKey(field.getKey())) {
          // Key names are part of the value: the message counts, it does not name them.
          throw SecretsManagerException.invalidParameter(
              "Key "
                  + position
                  + " of the value's "
                  + object.size()
                  + " is not a valid Secret key ([-._a-zA-Z0-9]+, at most 253 characters).");
        }
        JsonNode v = field.getValue();
        String text = v.isTextual() ? v.asText() : v.toString();
        data.put(field.getKey(), text.getBytes(StandardCharsets.UTF_8));
      }
    } else if (value.binary()) {
      data.put("secretBinary", value.bytes().clone());
    } else {
      data.put("secretString", value.bytes().clone());
    }
    Map<String, String> templates =
        target == null || target.template == null ? Map.of() : new TreeMap<>(target.template);
    Map<String, String> language = languageTemplates(target);
    SecretSize size =
        new SecretSize(
            !templates.isEmpty()
                ? "target.template"
                : !language.isEmpty()
                    ? "target.templates"
                    : value.binary() ? "secretBinary" : "secretString");
    data.forEach(
        (key, bytes) -> {
          if (!templates.containsKey(key) && !language.containsKey(key)) {
            size.add(key, bytes.length);
          }
        });
    if (!templates.isEmpty()) {
      data.putAll(render(templates, data, size));
    }
    if (!language.isEmpty()) {
      Map<String, String> keys = new HashMap<>();
      data.forEach((k, bytes) -> keys.put(k, new String(bytes, StandardCharsets.UTF_8)));
      Map<String, byte[]> rendered = new TreeMap<>();
      TEMPLATES.render(
          language,
          keys,
          salts,
          (key, text) -> {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            size.add(key, bytes.length);
            rendered.put(key, bytes);
          });
      data.putAll(rendered);
    }
    requireKeysOfType(target == null ? null : target.type, data);
    return data;
  }

  /** target.templates.data in key order, or none. */
  private static Map<String, String> languageTemplates(TargetSpec target) {
    return target == null || target.templates == null || target.templates.data == null
        ? Map.of()
        : new TreeMap<>(target.templates.data);
  }

  /**
   * Renders the templates from the value's keys, each placeholder as the key's text. Every
   * rendering is sized, and the Secret's data counted, before the first is built.
   */
  private static Map<String, byte[]> render(
      Map<String, String> templates, Map<String, byte[]> data, SecretSize size) {
    Map<String, Template> parsed = new TreeMap<>();
    Map<String, byte[]> texts = new HashMap<>();
    templates.forEach(
        (key, text) -> {
          Template t = new Template(key, text);
          for (String named : t.keys(data.keySet())) {
            texts.computeIfAbsent(named, k -> asText(data.get(k)));
          }
          parsed.put(key, t);
        });
    Map<String, Long> sizes = new TreeMap<>();
    parsed.forEach(
        (key, t) -> {
          long bytes = t.size(texts);
          size.add(key, bytes);
          sizes.put(key, bytes);
        });
    Map<String, byte[]> rendered = new TreeMap<>();
    parsed.forEach((key, t) -> rendered.put(key, t.render(texts, sizes.get(key).intValue())));
    return rendered;
  }

  /** A value's bytes as a template places them: decoded as UTF-8 text and encoded again. */
  private static byte[] asText(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
  }

  private static void requireKeysOfType(String type, Map<String, byte[]> data) {
    SecretType t = type == null ? SecretType.OPAQUE : SecretType.fromValue(type);
    if (t == null) {
      throw SecretsManagerException.invalidParameter(
          "target.type " + type + " can't be projected: use one of the allowed Secret types.");
    }
    List<String> required =
        switch (t) {
          case TLS -> List.of("tls.crt", "tls.key");
          case DOCKER_CONFIG_JSON -> List.of(".dockerconfigjson");
          case SSH_AUTH -> List.of("ssh-privatekey");
          default -> List.of();
        };
    for (String key : required) {
      if (!data.containsKey(key)) {
        throw SecretsManagerException.invalidParameter(
            "A Secret of type "
                + t.value()
                + " needs the key "
                + key
                + ", which none of the value's "
                + data.size()
                + " keys is.");
      }
    }
    if (t == SecretType.BASIC_AUTH
        && !data.containsKey("username")
        && !data.containsKey("password")) {
      throw SecretsManagerException.invalidParameter(
          "A Secret of type kubernetes.io/basic-auth needs the key username or password.");
    }
  }

  /** The type of the projected Secret: target.type, Opaque when none is given. */
  public static String type(ManagedSecret ms) {
    TargetSpec target = ms.getSpec() == null ? null : ms.getSpec().target;
    return target != null && target.type != null ? target.type : "Opaque";
  }

  /** Whether the projected Secret is immutable (target.immutable). */
  public static boolean immutable(ManagedSecret ms) {
    TargetSpec target = ms.getSpec() == null ? null : ms.getSpec().target;
    return target != null && Boolean.TRUE.equals(target.immutable);
  }

  /**
   * Whether the projected Secret is kept when the ManagedSecret is deleted (target.deletionPolicy).
   */
  public static boolean retained(ManagedSecret ms) {
    TargetSpec target = ms.getSpec() == null ? null : ms.getSpec().target;
    return target != null && "Retain".equals(target.deletionPolicy);
  }

  /**
   * The keyed checksum of a projection: it covers the version, the target's shape (labels,
   * annotations, type, templates) and the data, base64-encoded as a Secret holds it. Equal
   * checksums mean the same projection, with no need to decrypt the version to tell.
   */
  public String checksum(ManagedSecret ms, String versionId, Map<String, String> encodedData) {
    return checksum(ms, versionId, null, encodedData);
  }

  /**
   * The keyed checksum of a projection with the previous version beside the current one (null:
   * none): it covers the previous version, the end of its grace period and its key suffix too.
   */
  public String checksum(
      ManagedSecret ms, String versionId, Previous previous, Map<String, String> encodedData) {
    Map<String, Object> shape = new TreeMap<>();
    shape.put("labels", labels(ms));
    shape.put("annotations", annotations(ms, versionId, previous));
    if (previous != null) {
      shape.put("previousKeySuffix", previous.keySuffix());
    }
    TargetSpec target = ms.getSpec().target;
    shape.put("type", type(ms));
    shape.put("template", target != null && target.template != null ? target.template : Map.of());
    if (target != null && target.templates != null) {
      // Only when present: the checksum of every Secret projected before target.templates existed
      // stays as it was, so an upgrade rewrites none of them.
      Map<String, Object> language = new TreeMap<>();
      language.put("engineVersion", target.templates.engineVersion);
      language.put("data", languageTemplates(target));
      shape.put("templates", language);
    }
    if (immutable(ms)) {
      // Only when set, as for target.templates: Secrets projected before stay up to date.
      shape.put("immutable", true);
    }
    shape.put("data", encodedData);
    return hash.hash("projection/v1", versionId, json(shape));
  }

  /** The projected Secret's labels: the target's, and the operator's, which win. */
  public static Map<String, String> labels(ManagedSecret ms) {
    Map<String, String> labels = new TreeMap<>();
    TargetSpec target = ms.getSpec().target;
    if (target != null && target.labels != null) {
      labels.putAll(target.labels);
    }
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    labels.put(SECRET_NAME_LABEL, labelValue(ms.getMetadata().getName()));
    return labels;
  }

  /** The projected Secret's annotations, without the checksum. */
  public static Map<String, String> annotations(ManagedSecret ms, String versionId) {
    return annotations(ms, versionId, null);
  }

  /**
   * The projected Secret's annotations, without the checksum, with the previous version beside the
   * current one (null: none).
   */
  public static Map<String, String> annotations(
      ManagedSecret ms, String versionId, Previous previous) {
    Map<String, String> annotations = new TreeMap<>();
    ManagedSecretSpec spec = ms.getSpec();
    if (spec.target != null && spec.target.annotations != null) {
      annotations.putAll(spec.target.annotations);
    }
    annotations.put(VERSION_ANNOTATION, versionId);
    if (previous != null) {
      annotations.put(PREVIOUS_VERSION_ANNOTATION, previous.versionId());
      annotations.put(PREVIOUS_UNTIL_ANNOTATION, previous.until().toString());
    }
    if (spec.tags != null && !spec.tags.isEmpty()) {
      Map<String, String> tags = new LinkedHashMap<>();
      for (Tag t : spec.tags) {
        tags.put(t.key, t.value == null ? "" : t.value);
      }
      annotations.put(TAGS_ANNOTATION, json(tags));
    }
    return annotations;
  }

  /** A label value for a name: itself when it fits in 63 characters, else a prefix and a hash. */
  public static String labelValue(String name) {
    if (name.length() <= 63) {
      return name;
    }
    try {
      String digest =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(name.getBytes(StandardCharsets.UTF_8)))
              .substring(0, 10);
      String prefix = name.substring(0, 52).replaceAll("[^a-zA-Z0-9]+$", "");
      return prefix + "-" + digest;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String json(Object o) {
    try {
      return CANONICAL.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
