package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What a generated X.509 certificate says: subject, names, validity, CA or not, who signs it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.commonName) || has(self.dnsNames) || has(self.ipAddresses)",
    message = "A certificate needs a commonName, dnsNames or ipAddresses.")
@ValidationRule(
    value =
        "!has(self.renewBeforeHours) || self.renewBeforeHours"
            + " < (has(self.validityHours) ? self.validityHours : 2160)",
    message = "renewBeforeHours must be less than validityHours (default 2160).")
public class CertificateSpec {

  /** The default validity: 90 days. */
  public static final int DEFAULT_VALIDITY_HOURS = 2160;

  /** The longest validity: 10 years. */
  public static final int MAX_VALIDITY_HOURS = 87600;

  /** At most this many DNS names, and as many IP addresses. */
  public static final int MAX_NAMES = 32;

  @JsonPropertyDescription("The subject's common name (CN), 1-64 characters.")
  @Size(min = 1, max = 64)
  public String commonName;

  @JsonPropertyDescription(
      "DNS names of the subjectAltName, at most 32, each 1-253 characters of a DNS name (a"
          + " leading *. for a wildcard).")
  @Size(max = MAX_NAMES)
  public List<
          @Size(min = 1, max = 253)
          @Pattern(
              "^(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$")
          String>
      dnsNames;

  @JsonPropertyDescription("IP addresses (IPv4 or IPv6) of the subjectAltName, at most 32.")
  @Size(max = MAX_NAMES)
  public List<@Size(min = 2, max = 45) @Pattern("^[0-9A-Fa-f:.]+$") String> ipAddresses;

  @JsonPropertyDescription(
      "How long the certificate is valid from when it is made, in hours: 1-87600 (10 years),"
          + " default 2160 (90 days).")
  @Min(1)
  @Max(MAX_VALIDITY_HOURS)
  public Integer validityHours;

  @JsonPropertyDescription(
      "How long before its notAfter the certificate is renewed (a new key and certificate, as a"
          + " rotation makes them), in hours, less than validityHours. Default: a third of the"
          + " validity.")
  @Min(1)
  @Max(MAX_VALIDITY_HOURS - 1)
  public Integer renewBeforeHours;

  @JsonPropertyDescription("Make a CA certificate, which may sign the certificates of others.")
  public Boolean isCA;

  @JsonPropertyDescription(
      "The CA that signs the certificate: the tlsCertificate (isCA) of another ManagedSecret in"
          + " the same namespace. Absent: self-signed.")
  public IssuerReference issuer;
}
