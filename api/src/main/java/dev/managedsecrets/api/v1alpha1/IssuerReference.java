package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * The CA that signs a generated certificate: a tlsCertificate generator with isCA of another
 * ManagedSecret in the same namespace (by name only: never another namespace).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IssuerReference {

  @JsonPropertyDescription("The ManagedSecret that holds the CA, in the same namespace.")
  @Required
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String name;

  @JsonPropertyDescription(
      "The key of that ManagedSecret's generate map whose tlsCertificate (with isCA) signs: its"
          + " value holds <key>.crt and <key>.key.")
  @Required
  @Size(min = 1, max = 253)
  public String key;

  public IssuerReference() {}

  public IssuerReference(String name, String key) {
    this.name = name;
    this.key = key;
  }
}
