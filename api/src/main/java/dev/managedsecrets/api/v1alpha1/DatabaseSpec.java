package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * Connection information of a database credential. Not secret: it joins the JSON value where AWS's
 * rotation templates expect it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatabaseSpec {

  @JsonPropertyDescription(
      "The database engine: postgres, aurora-postgresql, mysql, aurora-mysql, mariadb, oracle,"
          + " sqlserver, mongo or redshift.")
  @Required
  @Pattern(DatabaseEngine.PATTERN)
  public String engine;

  @JsonPropertyDescription("Host name or address of the database.")
  @Required
  @Size(min = 1, max = 253)
  public String host;

  @JsonPropertyDescription("Port; default: the engine's usual port.")
  @Min(1)
  @Max(65535)
  public Integer port;

  @JsonPropertyDescription("Database name.")
  @Size(min = 1, max = 255)
  public String dbname;

  @JsonPropertyDescription(
      "TLS of the operator's connections when it rotates this credential (postgres strategies):"
          + " disable, require (encrypted, the certificate not checked), verify-ca (signed by the"
          + " CA) or verify-full (signed by the CA and issued for the host). Default: verify-full."
          + " Joins the value as sslmode. Never falls back to a connection without TLS.")
  @Pattern(SSL_MODES)
  @Size(max = 11)
  public String sslmode;

  @JsonPropertyDescription(
      "A key of a Secret in this namespace holding the PEM certificates of the CAs that sign the"
          + " database's certificate (verify-ca, verify-full). Default: the CAs the operator's"
          + " JVM trusts.")
  public SecretKeyReference caCertificate;

  /** The TLS modes the operator connects with; no mode that may fall back to plaintext. */
  public static final String SSL_MODES = "^(disable|require|verify-ca|verify-full)$";
}
