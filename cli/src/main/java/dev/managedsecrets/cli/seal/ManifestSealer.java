package dev.managedsecrets.cli.seal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.core.sealing.ResealAnswer;
import dev.managedsecrets.core.sealing.ResealRequest;
import dev.managedsecrets.core.sealing.Sealer;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import dev.managedsecrets.core.sealing.SealingScope;
import dev.managedsecrets.core.sealing.SealingTarget;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.validation.SpecValidator;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seals the plaintext values of a ManagedSecret manifest (one document, as a JSON tree, so that
 * fields this plugin does not know stay as they are): {@code spec.data} into {@code
 * spec.sealedData}, {@code spec.secretString} into {@code spec.sealedSecretString}, {@code
 * spec.secretBinary} (base64) into {@code spec.sealedSecretBinary} (the bytes), each in its place,
 * the plaintext removed. Each value is bound to the manifest's namespace (its metadata.namespace,
 * else the one given, which is then written into it), its metadata.name (scope strict) and its key
 * or field; {@code spec.sealedScope} says the scope. Keys are named by their place in messages,
 * never by name: key names are part of the value.
 */
public final class ManifestSealer {

  public static final String KIND = "ManagedSecret";
  public static final String GROUP = "managedsecrets.dev/";

  private final SealingPublicKey key;

  public ManifestSealer(SealingPublicKey key) {
    this.key = key;
  }

  /** Whether a document is a ManagedSecret (others pass through untouched). */
  public static boolean isManagedSecret(JsonNode doc) {
    return KIND.equals(doc.path("kind").asText(null))
        && doc.path("apiVersion").asText("").startsWith(GROUP);
  }

  /**
   * Seals the plaintext values of {@code doc} in place.
   *
   * @param scope the scope asked for (--scope), null: the manifest's sealedScope, else strict
   * @param namespace where it is applied when its metadata names no namespace
   * @return how many values were sealed
   * @throws CliException when it cannot be sealed as it is (the command then prints nothing)
   */
  public int seal(ObjectNode doc, SealingScope scope, String namespace) {
    Binding binding = binding(doc, scope, namespace);
    ObjectNode spec = spec(doc);
    if (spec == null || !hasPlaintext(spec)) {
      return 0;
    }
    validate(doc, binding);
    Map<String, String> data = new LinkedHashMap<>();
    JsonNode plainData = spec.get("data");
    if (plainData != null && plainData.isObject()) {
      for (Map.Entry<String, JsonNode> e : plainData.properties()) {
        data.put(e.getKey(), seal(binding, SealingTarget.data(e.getKey()), e.getValue(), "data"));
      }
    }
    String string = seal(binding, SealingTarget.secretString(), spec.get("secretString"), null);
    String binary = seal(binding, SealingTarget.secretBinary(), spec.get("secretBinary"), null);
    if (!data.isEmpty() || spec.has("data")) {
      JsonNode sealed = spec.get("sealedData");
      if (sealed != null && sealed.isObject()) {
        data.forEach(((ObjectNode) sealed)::put);
        spec.remove("data");
      } else {
        ObjectNode object = spec.objectNode();
        data.forEach(object::put);
        rename(spec, "data", "sealedData", object);
      }
    }
    if (string != null) {
      rename(spec, "secretString", "sealedSecretString", TextNode.valueOf(string));
    }
    if (binary != null) {
      rename(spec, "secretBinary", "sealedSecretBinary", TextNode.valueOf(binary));
    }
    scope(spec, binding.scope());
    validate(doc, binding);
    return data.size() + (string != null ? 1 : 0) + (binary != null ? 1 : 0);
  }

  /**
   * Seals the plaintext values of {@code plain} into {@code target}, an already sealed manifest:
   * its other sealed values stay as they are, byte for byte; a key (or the whole value) given again
   * is replaced. The binding is the target's.
   *
   * @return how many values were sealed
   */
  public int merge(ObjectNode target, ObjectNode plain, SealingScope scope, String namespace) {
    Binding binding = binding(target, scope, namespace);
    JsonNode plainMetadata = plain.path("metadata");
    for (String field : List.of("name", "namespace")) {
      String asked = plainMetadata.path(field).asText(null);
      String have = field.equals("name") ? binding.name() : binding.namespace();
      if (asked != null && !asked.equals(have)) {
        throw new CliException(
            CliException.USAGE,
            "error: the values to merge are for metadata."
                + field
                + " "
                + asked
                + ", but the file to merge into is for "
                + have
                + ": a sealed value opens only where it was sealed for");
      }
    }
    ObjectNode values = spec(plain);
    if (values == null || !hasPlaintext(values)) {
      throw new CliException(
          CliException.USAGE,
          "error: nothing to merge: give spec.data, spec.secretString or spec.secretBinary in"
              + " plain text");
    }
    ObjectNode spec = spec(target);
    if (spec == null) {
      spec = target.putObject("spec");
    }
    // The operator's rules on the spec as it would be in plain text: the bounds of the new values,
    // and which fields may go together.
    ObjectNode planned = target.deepCopy();
    planned.set("spec", withPlain(spec, values));
    validate(planned, binding);
    ObjectNode merged = spec.deepCopy();
    int count = 0;
    if (values.get("data") instanceof ObjectNode data) {
      ObjectNode sealed =
          merged.get("sealedData") instanceof ObjectNode s ? s : merged.putObject("sealedData");
      for (Map.Entry<String, JsonNode> e : data.properties()) {
        // put keeps the place of a key that was there
        sealed.put(e.getKey(), seal(binding, SealingTarget.data(e.getKey()), e.getValue(), "data"));
        if (merged.get("data") instanceof ObjectNode plainData) {
          plainData.remove(e.getKey());
          if (plainData.isEmpty()) {
            merged.remove("data");
          }
        }
        count++;
      }
    }
    for (SealingTarget whole :
        List.of(SealingTarget.secretString(), SealingTarget.secretBinary())) {
      String field = what(whole);
      String sealedField = sealedField(field);
      String sealed = seal(binding, whole, values.get(field), null);
      if (sealed == null) {
        continue;
      }
      if (merged.has(sealedField)) {
        merged.put(sealedField, sealed);
        merged.remove(field);
      } else if (merged.has(field)) {
        rename(merged, field, sealedField, TextNode.valueOf(sealed));
      } else {
        merged.put(sealedField, sealed);
      }
      count++;
    }
    scope(merged, binding.scope());
    ObjectNode result = target.deepCopy();
    result.set("spec", merged);
    validate(result, binding);
    target.set("spec", merged);
    return count;
  }

  private static String sealedField(String field) {
    return "sealed" + Character.toUpperCase(field.charAt(0)) + field.substring(1);
  }

  /** The spec with the plaintext values given instead of what they replace. */
  private static ObjectNode withPlain(ObjectNode spec, ObjectNode values) {
    ObjectNode out = spec.deepCopy();
    if (values.get("data") instanceof ObjectNode data) {
      ObjectNode plain = out.get("data") instanceof ObjectNode d ? d : out.putObject("data");
      for (Map.Entry<String, JsonNode> e : data.properties()) {
        if (out.get("sealedData") instanceof ObjectNode sealed) {
          sealed.remove(e.getKey());
          if (sealed.isEmpty()) {
            out.remove("sealedData");
          }
        }
        plain.set(e.getKey(), e.getValue());
      }
    }
    for (String field : List.of("secretString", "secretBinary")) {
      if (values.hasNonNull(field)) {
        out.remove(sealedField(field));
        out.set(field, values.get(field));
      }
    }
    return out;
  }

  /**
   * The re-seal request of a sealed manifest, bound to its metadata (its namespace, else the one
   * given) and its sealedScope; null when it holds no sealed value.
   */
  public static ResealRequest resealRequest(ObjectNode doc, String namespace) {
    ManagedSecret ms = managedSecret(doc, namespace);
    if (ms.getSpec() == null
        || (ms.getSpec().sealedData == null
            && ms.getSpec().sealedSecretString == null
            && ms.getSpec().sealedSecretBinary == null)) {
      return null;
    }
    if (ms.getMetadata().getName() == null) {
      throw new CliException(
          CliException.USAGE,
          "error: a ManagedSecret to re-seal needs metadata.name: its values are bound to it");
    }
    return ResealRequest.of(ms);
  }

  /**
   * Puts the answer's sealed values in place of the manifest's; answers which texts changed (old to
   * new), to change them in the file.
   */
  public static Map<String, String> apply(ObjectNode doc, ResealAnswer answer) {
    Map<String, String> changed = new LinkedHashMap<>();
    ObjectNode spec = (ObjectNode) doc.get("spec");
    if (answer.sealedData() != null && spec.get("sealedData") instanceof ObjectNode data) {
      answer.sealedData().forEach((k, v) -> replace(data, k, v, changed));
    }
    if (answer.sealedSecretString() != null) {
      replace(spec, "sealedSecretString", answer.sealedSecretString(), changed);
    }
    if (answer.sealedSecretBinary() != null) {
      replace(spec, "sealedSecretBinary", answer.sealedSecretBinary(), changed);
    }
    return changed;
  }

  private static void replace(
      ObjectNode in, String field, String now, Map<String, String> changed) {
    JsonNode before = in.get(field);
    if (before == null || !before.isTextual()) {
      throw new CliException(
          CliException.GENERAL, "error: the operator's answer names a value the manifest lacks");
    }
    if (!before.asText().equals(now)) {
      changed.put(before.asText(), now);
      in.put(field, now);
    }
  }

  /** What a manifest's values are bound to. */
  record Binding(SealingScope scope, String namespace, String name) {
    SealingBinding of(SealingTarget target) {
      return new SealingBinding(scope, namespace, name, target);
    }
  }

  private static Binding binding(ObjectNode doc, SealingScope asked, String namespace) {
    if (!(doc.get("metadata") instanceof ObjectNode metadata)) {
      throw new CliException(
          CliException.USAGE,
          "error: a ManagedSecret to seal needs metadata.name: its values are bound to it");
    }
    String name = metadata.path("name").asText(null);
    if (name == null || name.isEmpty()) {
      throw new CliException(
          CliException.USAGE,
          "error: a ManagedSecret to seal needs metadata.name (generateName can't be used): its"
              + " values are bound to it");
    }
    String ns = metadata.path("namespace").asText(null);
    if (ns == null || ns.isEmpty()) {
      if (namespace == null || namespace.isEmpty()) {
        throw new CliException(
            CliException.USAGE,
            "error: ManagedSecret "
                + name
                + " names no namespace: set metadata.namespace or pass -n");
      }
      ns = namespace;
      insertAfter(metadata, "name", "namespace", TextNode.valueOf(ns));
    }
    JsonNode spec = doc.get("spec");
    String declared = spec == null ? null : spec.path("sealedScope").asText(null);
    SealingScope have;
    try {
      have = SealingScope.fromSpec(declared);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          CliException.USAGE,
          "error: spec.sealedScope of ManagedSecret "
              + name
              + " is neither strict nor namespace-wide");
    }
    SealingScope scope = asked == null ? have : asked;
    if (asked != null && asked != have && spec != null && hasSealed(spec)) {
      throw new CliException(
          CliException.USAGE,
          "error: ManagedSecret "
              + name
              + " holds values sealed with scope "
              + have.word()
              + " (spec.sealedScope); --scope "
              + asked.word()
              + " would not open them. Seal them all again from plain text with --scope "
              + asked.word()
              + ", or leave --scope out.");
    }
    return new Binding(scope, ns, name);
  }

  private String seal(Binding binding, SealingTarget target, JsonNode value, String field) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new CliException(
          CliException.USAGE,
          "error: "
              + (field == null ? "spec." + what(target) : "a value of spec." + field)
              + " is not a string: quote it in YAML");
    }
    byte[] bytes;
    if (target.form() == SealingTarget.Form.SECRET_BINARY) {
      try {
        bytes = Base64.getDecoder().decode(value.asText().strip());
      } catch (IllegalArgumentException e) {
        throw new CliException(CliException.USAGE, "error: spec.secretBinary is not base64");
      }
    } else {
      bytes = value.asText().getBytes(StandardCharsets.UTF_8);
    }
    if (bytes.length > SpecValidator.MAX_VALUE_BYTES) {
      throw new ServiceException(
          "ValidationException",
          (field == null ? "spec." + what(target) : "A value of spec." + field)
              + " is larger than "
              + SpecValidator.MAX_VALUE_BYTES
              + " bytes, the most a secret value holds.");
    }
    try {
      return Sealer.seal(key, binding.of(target), bytes);
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }

  private static String what(SealingTarget target) {
    return target.form() == SealingTarget.Form.SECRET_STRING ? "secretString" : "secretBinary";
  }

  /** Checks the manifest with the operator's own spec rules, in plain text or sealed. */
  private static void validate(ObjectNode doc, Binding binding) {
    ManagedSecret ms = managedSecret(doc, binding.namespace());
    try {
      SpecValidator.validate(ms);
    } catch (SecretsManagerException e) {
      throw ServiceException.of(e);
    }
  }

  private static ManagedSecret managedSecret(ObjectNode doc, String namespace) {
    ManagedSecret ms;
    try {
      // Fields of a newer CRD are the operator's to check: they are left out here.
      ms =
          Serialization.jsonMapper()
              .readerFor(ManagedSecret.class)
              .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .readValue(doc);
    } catch (java.io.IOException | IllegalArgumentException e) {
      // The mapper's message may quote a value.
      throw new CliException(
          CliException.USAGE,
          "error: ManagedSecret "
              + doc.path("metadata").path("name").asText("")
              + " is not one this plugin can read: a field has a value of the wrong type");
    }
    if (ms.getMetadata().getNamespace() == null) {
      ms.getMetadata().setNamespace(namespace);
    }
    return ms;
  }

  private static ObjectNode spec(ObjectNode doc) {
    return doc.get("spec") instanceof ObjectNode spec ? spec : null;
  }

  private static boolean hasPlaintext(JsonNode spec) {
    return spec.hasNonNull("data")
        || spec.hasNonNull("secretString")
        || spec.hasNonNull("secretBinary");
  }

  private static boolean hasSealed(JsonNode spec) {
    return spec.hasNonNull("sealedData")
        || spec.hasNonNull("sealedSecretString")
        || spec.hasNonNull("sealedSecretBinary");
  }

  /** Sets sealedScope, before the first sealed field when it is new. */
  private static void scope(ObjectNode spec, SealingScope scope) {
    if (spec.has("sealedScope")) {
      spec.put("sealedScope", scope.word());
      return;
    }
    for (String first : List.of("sealedData", "sealedSecretString", "sealedSecretBinary")) {
      if (spec.has(first)) {
        insertBefore(spec, first, "sealedScope", TextNode.valueOf(scope.word()));
        return;
      }
    }
    spec.put("sealedScope", scope.word());
  }

  /** Replaces field {@code from} by {@code to} with {@code value}, in its place. */
  private static void rename(ObjectNode object, String from, String to, JsonNode value) {
    List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(object.properties());
    object.removeAll();
    for (Map.Entry<String, JsonNode> e : fields) {
      if (e.getKey().equals(from)) {
        object.set(to, value);
      } else if (!e.getKey().equals(to)) {
        object.set(e.getKey(), e.getValue());
      }
    }
  }

  private static void insertAfter(ObjectNode object, String after, String field, JsonNode value) {
    insert(object, after, false, field, value);
  }

  private static void insertBefore(ObjectNode object, String before, String field, JsonNode value) {
    insert(object, before, true, field, value);
  }

  /** Adds {@code field} next to {@code anchor} (at the end without it), keeping the order. */
  private static void insert(
      ObjectNode object, String anchor, boolean before, String field, JsonNode value) {
    List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(object.properties());
    object.removeAll();
    for (Map.Entry<String, JsonNode> e : fields) {
      boolean here = e.getKey().equals(anchor);
      if (here && before) {
        object.set(field, value);
      }
      object.set(e.getKey(), e.getValue());
      if (here && !before) {
        object.set(field, value);
      }
    }
    if (!object.has(field)) {
      object.set(field, value);
    }
  }
}
