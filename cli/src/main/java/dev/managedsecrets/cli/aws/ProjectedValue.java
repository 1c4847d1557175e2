package dev.managedsecrets.cli.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.value.SecretValue;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The value a projected Secret holds, as SecretString or SecretBinary.
 *
 * <p>The projection splits a JSON object into one key per property, so the text is not stored as
 * such. When the spec's own secretString (or secretBinary) is the published value — the status
 * reports the spec's generation, AWSCURRENT is not pinned by versionStages, the Secret holds the
 * status's version — and it projects to exactly the Secret's data (the operator's own {@link
 * Projection#data}), it is returned as written. Otherwise the value is rebuilt from the Secret: key
 * {@code secretString} alone is the text, key {@code secretBinary} alone the bytes, anything else a
 * JSON object with sorted keys (as the operator stores data, generate and database values), every
 * property a string except a database's port.
 */
public record ProjectedValue(String text, String binary) {

  public static ProjectedValue of(ManagedSecret ms, Secret projected) {
    Map<String, byte[]> data = data(projected);
    ManagedSecretSpec spec = ms.getSpec() == null ? new ManagedSecretSpec() : ms.getSpec();
    SecretValue candidate = specValue(ms, spec, projected);
    if (candidate != null && same(candidate, spec.target, data)) {
      return candidate.binary()
          ? new ProjectedValue(null, Base64.getEncoder().encodeToString(candidate.bytes()))
          : new ProjectedValue(candidate.asText(), null);
    }
    Set<String> keys = new TreeSet<>(data.keySet());
    if (spec.target != null && spec.target.template != null) {
      keys.removeAll(spec.target.template.keySet());
    }
    if (keys.equals(Set.of("secretString"))) {
      return new ProjectedValue(utf8(data.get("secretString")), null);
    }
    if (keys.equals(Set.of("secretBinary"))) {
      return new ProjectedValue(null, Base64.getEncoder().encodeToString(data.get("secretBinary")));
    }
    ObjectNode object = Json.object();
    for (String key : keys) {
      String v = utf8(data.get(key));
      if (spec.database != null && key.equals("port") && v.matches("[0-9]{1,9}")) {
        object.put(key, Integer.parseInt(v));
      } else {
        object.put(key, v);
      }
    }
    return new ProjectedValue(object.toString(), null);
  }

  /** Whether the projected Secret holds {@code value} (as the operator projects it). */
  public static boolean holds(Secret projected, SecretValue value, TargetSpec target) {
    return same(value, target, data(projected));
  }

  private static SecretValue specValue(ManagedSecret ms, ManagedSecretSpec spec, Secret projected) {
    if (spec.secretString == null && spec.secretBinary == null) {
      return null;
    }
    if (spec.versionStages != null && spec.versionStages.containsKey("AWSCURRENT")) {
      return null;
    }
    var status = ms.getStatus();
    String version =
        projected.getMetadata().getAnnotations() == null
            ? null
            : projected.getMetadata().getAnnotations().get(Projection.VERSION_ANNOTATION);
    if (status == null
        || status.versionId == null
        || !status.versionId.equals(version)
        || status.observedGeneration == null
        || !status.observedGeneration.equals(ms.getMetadata().getGeneration())) {
      return null;
    }
    try {
      return spec.secretString != null
          ? SecretValue.text(spec.secretString)
          : new SecretValue(Base64.getDecoder().decode(spec.secretBinary), true);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean same(SecretValue value, TargetSpec target, Map<String, byte[]> data) {
    Map<String, byte[]> expected;
    try {
      expected = Projection.data(value, target);
    } catch (RuntimeException e) {
      return false;
    }
    if (!expected.keySet().equals(data.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      if (!Arrays.equals(e.getValue(), data.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, byte[]> data(Secret s) {
    Map<String, byte[]> data = new TreeMap<>();
    if (s.getData() != null) {
      s.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    if (s.getStringData() != null) {
      s.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    return data;
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "ProjectedValue[" + (binary != null ? "binary" : "string") + "]";
  }
}
