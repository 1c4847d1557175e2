package dev.managedsecrets.operator.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code store} section of the configuration: where versions and their ciphertext live. Every
 * field is overridable by an environment variable MANAGEDSECRET_STORE_&lt;FIELD IN UPPER SNAKE
 * CASE&gt; (see {@link OperatorConfig}). See docs/STORES.md.
 */
public record StoreConfig(
    @JsonPropertyDescription(
            "kubernetes (default): Secrets in the operator's namespace. postgres: a PostgreSQL"
                + " database. Env: MANAGEDSECRET_STORE_TYPE.")
        @JsonProperty(defaultValue = "kubernetes")
        Type type,
    @JsonPropertyDescription(
            "postgres: the JDBC URL, e.g."
                + " jdbc:postgresql://db.internal:5432/managedsecret?sslmode=verify-full&sslrootcert=/etc/managedsecret/postgres-ca.crt."
                + " TLS is set by the driver's URL parameters sslmode and sslrootcert. Never a"
                + " password: that comes from credentialsSecret. Env: MANAGEDSECRET_STORE_JDBC_URL.")
        String jdbcUrl,
    @JsonPropertyDescription(
            "postgres: a Secret in the operator's namespace with keys username and password"
                + " (password may be empty for client-certificate authentication). Read once at"
                + " start. Env: MANAGEDSECRET_STORE_CREDENTIALS_SECRET.")
        @JsonProperty(defaultValue = "managedsecret-postgres")
        String credentialsSecret,
    @JsonPropertyDescription(
            "postgres: the schema that holds the store's tables; created and migrated by the"
                + " operator (Flyway) at start. Env: MANAGEDSECRET_STORE_SCHEMA.")
        @JsonProperty(defaultValue = "managedsecret")
        String schema,
    @JsonPropertyDescription(
            "postgres: the most connections the operator keeps open. Env:"
                + " MANAGEDSECRET_STORE_MAX_POOL_SIZE.")
        @JsonProperty(defaultValue = "5")
        int maxPoolSize,
    @JsonPropertyDescription(
            "postgres: how long a store call waits for a connection before it fails (the"
                + " reconcile is then retried with back-off). Env:"
                + " MANAGEDSECRET_STORE_CONNECTION_TIMEOUT.")
        @JsonProperty(defaultValue = "PT5S")
        Duration connectionTimeout,
    @JsonPropertyDescription(
            "postgres: allow a jdbcUrl whose sslmode is disable or allow, a connection without"
                + " TLS (the versions' envelopes stay encrypted, but records, names and the login"
                + " cross the network in plain text). Only for a server on the operator's own host"
                + " or network namespace. Env: MANAGEDSECRET_STORE_ALLOW_PLAINTEXT.")
        @JsonProperty(defaultValue = "false")
        boolean allowPlaintext) {

  /** The kinds of backing store. */
  public enum Type {
    KUBERNETES,
    POSTGRES;

    @JsonValue
    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Type parse(String text) {
      for (Type t : values()) {
        if (t.text().equals(text == null ? null : text.trim().toLowerCase(Locale.ROOT))) {
          return t;
        }
      }
      throw new IllegalArgumentException(
          "store.type must be kubernetes or postgres; it is " + text);
    }
  }

  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern SSLMODE =
      Pattern.compile("[?&]sslmode=([^&]*)", Pattern.CASE_INSENSITIVE);

  /** The sslmode the JDBC URL sets, lower case, or null when it sets none (the driver: prefer). */
  public String sslmode() {
    var m = jdbcUrl == null ? null : SSLMODE.matcher(jdbcUrl);
    return m != null && m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
  }

  /** Whether the connection is or may be without TLS. */
  public boolean plaintextPossible() {
    String mode = sslmode();
    return mode == null || mode.equals("disable") || mode.equals("allow") || mode.equals("prefer");
  }

  private static final Pattern PASSWORD_PARAM =
      Pattern.compile("[?&]password=", Pattern.CASE_INSENSITIVE);

  /** Refuses values the operator cannot run with, naming the field. */
  void check() {
    if (type == null) {
      throw new IllegalArgumentException("store.type must be kubernetes or postgres");
    }
    if (type != Type.POSTGRES) {
      return;
    }
    if (jdbcUrl == null || jdbcUrl.isBlank()) {
      throw new IllegalArgumentException("store.jdbcUrl is required when store.type is postgres");
    }
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "store.jdbcUrl must start with jdbc:postgresql:; it starts with "
              + jdbcUrl.substring(0, Math.min(jdbcUrl.length(), 16)));
    }
    if (PASSWORD_PARAM.matcher(jdbcUrl).find()) {
      throw new IllegalArgumentException(
          "store.jdbcUrl must not carry a password: put it in the Secret named by"
              + " store.credentialsSecret");
    }
    String mode = sslmode();
    if (("disable".equals(mode) || "allow".equals(mode)) && !allowPlaintext) {
      throw new IllegalArgumentException(
          "store.jdbcUrl sets sslmode="
              + mode
              + ": the connection to PostgreSQL would carry the store's records and the login in"
              + " plain text. Set sslmode=verify-full and sslrootcert=<CA file>, or, for a server on"
              + " the operator's own host, store.allowPlaintext: true");
    }
    if (credentialsSecret == null || credentialsSecret.isBlank()) {
      throw new IllegalArgumentException(
          "store.credentialsSecret is required when store.type is postgres");
    }
    if (schema == null || !SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "store.schema must be 1-63 of [a-z0-9_], not starting with a digit; it is " + schema);
    }
    if (maxPoolSize < 1 || maxPoolSize > 100) {
      throw new IllegalArgumentException(
          "store.maxPoolSize must be between 1 and 100; it is " + maxPoolSize);
    }
    if (connectionTimeout == null || connectionTimeout.toMillis() < 250) {
      throw new IllegalArgumentException("store.connectionTimeout must be at least 250ms");
    }
  }
}
