package dev.managedsecrets.core.sealing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the kubectl plugin asks the operator's re-seal endpoint ({@value #PATH}): the sealed values
 * of one ManagedSecret manifest and what binds them, taken from the manifest's metadata and spec
 * (namespace, name, sealedScope). Nothing in it is secret; it is what the manifest in Git holds.
 *
 * <pre>{@code
 * {"namespace": "production", "name": "orders-db", "sealedScope": "strict",
 *  "sealedData": {"password": "msv1...."}}
 * }</pre>
 *
 * @param sealedScope null is strict, as in a spec
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResealRequest(
    String namespace,
    String name,
    String sealedScope,
    Map<String, String> sealedData,
    String sealedSecretString,
    String sealedSecretBinary) {

  /** The endpoint's path on the operator's re-seal port. */
  public static final String PATH = "/v1/reseal";

  /**
   * The Service of the endpoint, in the operator's namespace, as the chart names it for the release
   * managedsecret-operator ({@code <fullname>-reseal}) and the embedded command makes it.
   */
  public static final String SERVICE = "managedsecret-operator-reseal";

  /** The name of the Service's port. */
  public static final String PORT_NAME = "reseal";

  /**
   * The largest request body: a ManagedSecret is stored in etcd, whose objects are at most 1.5 MiB,
   * so no manifest the API server accepts holds more sealed text than this.
   */
  public static final int MAX_BODY_BYTES = 2 * 1024 * 1024;

  static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern NAME =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  public ResealRequest {
    sealedData = sealedData == null ? null : new LinkedHashMap<>(sealedData);
  }

  /** The request for the sealed fields of this ManagedSecret, bound to its metadata. */
  public static ResealRequest of(ManagedSecret ms) {
    ManagedSecretSpec spec = ms.getSpec();
    return new ResealRequest(
        ms.getMetadata().getNamespace(),
        ms.getMetadata().getName(),
        spec.sealedScope,
        spec.sealedData,
        spec.sealedSecretString,
        spec.sealedSecretBinary);
  }

  /**
   * The ManagedSecret this request stands for: its metadata and its sealed fields, nothing else.
   *
   * @throws SecretsManagerException ValidationException when the namespace or the name is not one
   */
  public ManagedSecret managedSecret() {
    if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
      throw SecretsManagerException.validation("namespace is not a namespace's name.");
    }
    if (name == null || !NAME.matcher(name).matches()) {
      throw SecretsManagerException.validation("name is not a ManagedSecret's name.");
    }
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setNamespace(namespace);
    ms.getMetadata().setName(name);
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.sealedScope = sealedScope;
    spec.sealedData = sealedData;
    spec.sealedSecretString = sealedSecretString;
    spec.sealedSecretBinary = sealedSecretBinary;
    ms.setSpec(spec);
    return ms;
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a request body (bounded by the caller to {@link #MAX_BODY_BYTES}).
   *
   * @throws SecretsManagerException ValidationException when it is not a request
   */
  public static ResealRequest parse(byte[] json) {
    try {
      ResealRequest r = JSON.readValue(json, ResealRequest.class);
      if (r == null) {
        throw new IllegalArgumentException("empty");
      }
      return r;
    } catch (java.io.IOException | IllegalArgumentException e) {
      // Jackson's message may quote the body: never pass it on.
      throw SecretsManagerException.validation(
          "The request is not a re-seal request: a JSON object with namespace, name, sealedScope"
              + " and the sealed fields of one ManagedSecret.");
    }
  }

  /** Never the sealed values nor the key names. */
  @Override
  public String toString() {
    return "ResealRequest[" + namespace + "/" + name + "]";
  }
}
