package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.operator.apiclient.ApiClients;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The ManagedSecret objects the endpoint reads and writes, with the operator's client, after the
 * caller was authorised. The endpoint writes a spec only as a call asks (CreateSecret, the
 * description, KMS key and tags of UpdateSecret, TagResource and UntagResource, the rotation of
 * RotateSecret and CancelRotateSecret, and the replica regions of ReplicateSecretToRegions and
 * RemoveRegionsFromReplication), never a value, and never a field that another writer (kubectl,
 * Argo CD, Flux) set: {@code metadata.managedFields} says who set what.
 */
final class ManagedSecretObjects {

  /**
   * The field manager of every write of the endpoint: its client's User-Agent is {@code
   * secretsmanager-endpoint/<version>}, which an API server records as this manager.
   */
  static final String MANAGER = "secretsmanager-endpoint";

  /** Marks the ManagedSecrets that CreateSecret made. */
  static final String CREATED_BY = "managedsecrets.dev/created-by";

  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;

  /** {@code client}: the endpoint's own, whose User-Agent names {@link #MANAGER}. */
  ManagedSecretObjects(KubernetesClient client) {
    this.client = client;
  }

  /**
   * A client like {@code operator}'s whose writes the API server records as {@link #MANAGER}'s,
   * with a rate limit of its own ({@code api}).
   */
  static KubernetesClient client(
      KubernetesClient operator, OperatorConfig.ApiSettings api, MeterRegistry registry) {
    return ApiClients.build(
        new ConfigBuilder(operator.getConfiguration())
            .withUserAgent(MANAGER + "/" + version())
            .build(),
        api,
        registry,
        ApiClients.ENDPOINT);
  }

  private static String version() {
    String v = ManagedSecretObjects.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  ManagedSecret get(String namespace, String name) {
    try {
      return client.resources(ManagedSecret.class).inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw AwsException.internal();
    }
  }

  /** The ManagedSecrets of a namespace. */
  List<ManagedSecret> list(String namespace) {
    try {
      return client.resources(ManagedSecret.class).inNamespace(namespace).list().getItems();
    } catch (KubernetesClientException e) {
      throw AwsException.internal();
    }
  }

  /** The ManagedSecrets, of any namespace, whose status carries this ARN. */
  List<ManagedSecret> withArn(String arn) {
    try {
      return client.resources(ManagedSecret.class).inAnyNamespace().list().getItems().stream()
          .filter(ms -> ms.getStatus() != null && arn.equals(ms.getStatus().arn))
          .toList();
    } catch (KubernetesClientException e) {
      throw AwsException.internal();
    }
  }

  /**
   * Creates a ManagedSecret; null when an object of that name exists already.
   *
   * @param createdBy the operation that creates it (CreateSecret, RestoreSecret)
   */
  ManagedSecret create(String namespace, String name, ManagedSecretSpec spec, String createdBy) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(namespace)
            .withName(name)
            .withAnnotations(Map.of(CREATED_BY, "secretsmanager-endpoint/" + createdBy))
            .build());
    ms.setSpec(spec);
    try {
      return client.resource(ms).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return null;
      }
      throw AwsException.internal();
    }
  }

  /**
   * Sets an annotation of the ManagedSecret (a JSON merge patch of its metadata: no spec, no
   * generation changes).
   */
  void annotate(ManagedSecret ms, String key, String value) {
    ObjectNode patch = Output.object();
    patch.putObject("metadata").putObject("annotations").put(key, value);
    try {
      client
          .resources(ManagedSecret.class)
          .inNamespace(ms.getMetadata().getNamespace())
          .withName(ms.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    } catch (KubernetesClientException e) {
      throw AwsException.internal();
    }
  }

  /** Deletes the ManagedSecret, if it is still the object {@code ms} (its uid). */
  void delete(ManagedSecret ms) {
    try {
      ManagedSecret now = get(ms.getMetadata().getNamespace(), ms.getMetadata().getName());
      if (now != null && Objects.equals(now.getMetadata().getUid(), ms.getMetadata().getUid())) {
        client.resource(now).delete();
      }
    } catch (KubernetesClientException e) {
      throw AwsException.internal();
    }
  }

  /**
   * Changes spec fields of the ManagedSecret as {@code change} does, unless another writer set one
   * of {@code fields}: then InvalidRequestException names the field and the writer. Retried from a
   * fresh read when the object changed meanwhile.
   */
  ManagedSecret changeSpec(
      ManagedSecret ms,
      String secretName,
      List<String> fields,
      Consumer<ManagedSecretSpec> change) {
    return changeSpec(ms, secretName, fields, change, Map.of());
  }

  /**
   * {@link #changeSpec(ManagedSecret, String, List, Consumer)}, with {@code annotations} set in the
   * same write (so that no reconcile sees the one without the other).
   */
  ManagedSecret changeSpec(
      ManagedSecret ms,
      String secretName,
      List<String> fields,
      Consumer<ManagedSecretSpec> change,
      Map<String, String> annotations) {
    String namespace = ms.getMetadata().getNamespace();
    String name = ms.getMetadata().getName();
    ManagedSecret current = ms;
    for (int attempt = 1; ; attempt++) {
      requireOwnable(current, secretName, fields);
      ManagedSecret next = current;
      change.accept(next.getSpec());
      if (!annotations.isEmpty()) {
        Map<String, String> merged = new HashMap<>();
        if (next.getMetadata().getAnnotations() != null) {
          merged.putAll(next.getMetadata().getAnnotations());
        }
        merged.putAll(annotations);
        next.getMetadata().setAnnotations(merged);
      }
      try {
        return client.resource(next).update();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == ATTEMPTS) {
          throw e.getCode() == 409
              ? AwsException.invalidRequest(
                  "ManagedSecret " + namespace + "/" + name + " kept changing; try again.")
              : AwsException.internal();
        }
      }
      current = get(namespace, name);
      if (current == null || !current.getMetadata().getUid().equals(ms.getMetadata().getUid())) {
        throw AwsException.notFound();
      }
    }
  }

  /**
   * Refuses with InvalidRequestException, naming the field and the writer, when another writer than
   * the endpoint set one of the spec's {@code fields}.
   */
  static void requireOwnable(ManagedSecret ms, String secretName, List<String> fields) {
    for (String field : fields) {
      String writer = otherWriter(ms, field);
      if (writer != null) {
        throw AwsException.invalidRequest(
            "spec."
                + field
                + " of ManagedSecret "
                + ms.getMetadata().getNamespace()
                + "/"
                + ms.getMetadata().getName()
                + " (secret "
                + secretName
                + ") was set by "
                + writer
                + ": change it where that spec is kept. The endpoint never changes a spec field"
                + " that another writer set.");
      }
    }
  }

  /** The field manager other than the endpoint that set {@code spec.<field>}, or null. */
  static String otherWriter(ManagedSecret ms, String field) {
    List<ManagedFieldsEntry> entries = ms.getMetadata().getManagedFields();
    if (entries == null) {
      return null;
    }
    for (ManagedFieldsEntry e : entries) {
      if (MANAGER.equals(e.getManager()) || e.getFieldsV1() == null) {
        continue;
      }
      Object spec = e.getFieldsV1().getAdditionalProperties().get("f:spec");
      if (spec instanceof Map<?, ?> fields && fields.containsKey("f:" + field)) {
        return e.getManager() == null ? "another writer" : e.getManager();
      }
    }
    return null;
  }

  /**
   * The name CreateSecret gives the ManagedSecret of a Secrets Manager name: the name in lowercase,
   * each run of characters a Kubernetes name can't hold made one hyphen, cut to 200 characters,
   * then a hyphen and 8 hex digits of the name's SHA-256 (names that differ only in case or
   * punctuation get different objects).
   */
  static String objectName(String secretName) {
    String base =
        secretName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (base.length() > 200) {
      base = base.substring(0, 200).replaceAll("-+$", "");
    }
    String hash;
    try {
      hash =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(secretName.getBytes(StandardCharsets.UTF_8)))
              .substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return (base.isEmpty() ? "secret" : base) + "-" + hash;
  }
}
