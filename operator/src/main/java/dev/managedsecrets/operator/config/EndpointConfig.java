package dev.managedsecrets.operator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The endpoint section: the Secrets Manager wire protocol (AWS JSON 1.1) that the operator serves
 * on its own port (docs/ENDPOINT.md).
 */
public record EndpointConfig(
    @JsonPropertyDescription(
            "Serve the Secrets Manager endpoint. Embedded mode serves it whatever this says. Env:"
                + " MANAGEDSECRET_ENDPOINT_ENABLED.")
        @JsonProperty(defaultValue = "false")
        boolean enabled,
    @JsonPropertyDescription(
            "Port of the endpoint (0: any free port). Env: MANAGEDSECRET_ENDPOINT_PORT.")
        @JsonProperty(defaultValue = "8443")
        int port,
    @JsonPropertyDescription(
            "Address the endpoint listens on: 0.0.0.0 (every address) in a cluster; plain HTTP"
                + " (tls.mode none) only on a loopback address. Env:"
                + " MANAGEDSECRET_ENDPOINT_ADDRESS.")
        @JsonProperty(defaultValue = "0.0.0.0")
        String address,
    @JsonPropertyDescription(
            "Namespace where the names given by the local administrator identity (embedded mode)"
                + " resolve. Env: MANAGEDSECRET_ENDPOINT_ADMIN_NAMESPACE.")
        @JsonProperty(defaultValue = "default")
        String adminNamespace,
    @JsonPropertyDescription(
            "The audience a pod's projected ServiceAccount token must have to get credentials"
                + " from the endpoint's container credentials path (/v1/credentials). Env:"
                + " MANAGEDSECRET_ENDPOINT_AUDIENCE.")
        @JsonProperty(defaultValue = "secretsmanager.managedsecrets.dev")
        String audience,
    @JsonPropertyDescription(
            "The Secret in the operator's namespace that keeps the key pod credentials are issued"
                + " with (made once, shared by every replica). Env:"
                + " MANAGEDSECRET_ENDPOINT_CREDENTIALS_SECRET.")
        @JsonProperty(defaultValue = "managedsecret-endpoint-credentials")
        String credentialsSecret,
    @JsonPropertyDescription(
            "How long a key of credentialsSecret issues pod credentials before a new one"
                + " replaces it (PT1H-P90D); a replaced key still verifies the credentials it"
                + " issued until they expire. Env: MANAGEDSECRET_ENDPOINT_CREDENTIALS_KEY_ROTATION.")
        @JsonProperty(defaultValue = "PT24H")
        Duration credentialsKeyRotation,
    @JsonPropertyDescription(
            "How long an allowed SubjectAccessReview answer is reused for the same caller, verb"
                + " and ManagedSecret (PT0S: every call asks the API server). Refusals are never"
                + " reused. A revoked grant still holds for this long. At most PT5M. Env:"
                + " MANAGEDSECRET_ENDPOINT_AUTHORIZATION_CACHE_TTL.")
        @JsonProperty(defaultValue = "PT5S")
        Duration authorizationCacheTtl,
    @JsonPropertyDescription("TLS of the endpoint.") TlsSettings tls) {

  static final Duration MIN_ROTATION = Duration.ofHours(1);
  static final Duration MAX_ROTATION = Duration.ofDays(90);

  /** The longest authorizationCacheTtl: revocation must not wait longer than this. */
  static final Duration MAX_AUTHORIZATION_CACHE_TTL = Duration.ofMinutes(5);

  static final List<String> TLS_MODES = List.of("generate", "secret", "none");
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "::1", "localhost");
  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

  /** True when the endpoint listens on a loopback address only. */
  public boolean loopback() {
    return LOOPBACK.contains(address);
  }

  void check() {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("endpoint.port must be 0-65535; it is " + port);
    }
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("endpoint.address must be an address to listen on");
    }
    if (adminNamespace == null || !adminNamespace.matches(DNS_LABEL)) {
      throw new IllegalArgumentException(
          "endpoint.adminNamespace must be a namespace name; it is " + adminNamespace);
    }
    if (audience == null || audience.isBlank() || audience.length() > 253) {
      throw new IllegalArgumentException("endpoint.audience must be 1-253 characters");
    }
    if (credentialsSecret == null || !credentialsSecret.matches(DNS_LABEL)) {
      throw new IllegalArgumentException(
          "endpoint.credentialsSecret must be an object name; it is " + credentialsSecret);
    }
    if (credentialsKeyRotation == null
        || credentialsKeyRotation.compareTo(MIN_ROTATION) < 0
        || credentialsKeyRotation.compareTo(MAX_ROTATION) > 0) {
      throw new IllegalArgumentException(
          "endpoint.credentialsKeyRotation must be PT1H-P90D; it is " + credentialsKeyRotation);
    }
    if (authorizationCacheTtl == null
        || authorizationCacheTtl.isNegative()
        || authorizationCacheTtl.compareTo(MAX_AUTHORIZATION_CACHE_TTL) > 0) {
      throw new IllegalArgumentException(
          "endpoint.authorizationCacheTtl must be PT0S-PT5M; it is " + authorizationCacheTtl);
    }
    if (!TLS_MODES.contains(tls.mode)) {
      throw new IllegalArgumentException(
          "endpoint.tls.mode must be one of " + TLS_MODES + "; it is " + tls.mode);
    }
    if (tls.mode.equals("none") && !loopback()) {
      throw new IllegalArgumentException(
          "endpoint.tls.mode none (plain HTTP) is allowed only on a loopback address; the"
              + " endpoint.address is "
              + address);
    }
    for (String name :
        List.of(tls.secretName, tls.caSecretName, tls.caConfigMap, tls.serviceName)) {
      if (name == null || !name.matches(DNS_LABEL)) {
        throw new IllegalArgumentException(
            "endpoint.tls: secretName, caSecretName, caConfigMap and serviceName must be object"
                + " names; one is "
                + name);
      }
    }
  }

  /** endpoint.tls: where the endpoint's certificate comes from. */
  public record TlsSettings(
      @JsonPropertyDescription(
              "generate: a certificate made at start, issued by a CA that the operator keeps in"
                  + " the Secret caSecretName (made once, shared by every replica) and publishes"
                  + " in the ConfigMap caConfigMap (key ca.crt) for clients; secret: the"
                  + " kubernetes.io/tls Secret secretName in the operator's namespace (e.g. from"
                  + " cert-manager); none: plain HTTP, on a loopback address only. Env:"
                  + " MANAGEDSECRET_ENDPOINT_TLS_MODE.")
          @JsonProperty(defaultValue = "generate")
          String mode,
      @JsonPropertyDescription(
              "The kubernetes.io/tls Secret of mode secret. Env:"
                  + " MANAGEDSECRET_ENDPOINT_TLS_SECRET_NAME.")
          @JsonProperty(defaultValue = "managedsecret-endpoint-tls")
          String secretName,
      @JsonPropertyDescription(
              "The Secret holding the CA of mode generate (its key never leaves it). Env:"
                  + " MANAGEDSECRET_ENDPOINT_TLS_CA_SECRET_NAME.")
          @JsonProperty(defaultValue = "managedsecret-endpoint-ca")
          String caSecretName,
      @JsonPropertyDescription(
              "The ConfigMap where mode generate publishes its CA certificate (key ca.crt). Env:"
                  + " MANAGEDSECRET_ENDPOINT_TLS_CA_CONFIG_MAP.")
          @JsonProperty(defaultValue = "managedsecret-endpoint-ca")
          String caConfigMap,
      @JsonPropertyDescription(
              "The Service in front of the endpoint: the made certificate names it"
                  + " (name, name.namespace, name.namespace.svc, name.namespace.svc.cluster.local)"
                  + " and localhost. Env: MANAGEDSECRET_ENDPOINT_TLS_SERVICE_NAME.")
          @JsonProperty(defaultValue = "managedsecret-endpoint")
          String serviceName) {}
}
