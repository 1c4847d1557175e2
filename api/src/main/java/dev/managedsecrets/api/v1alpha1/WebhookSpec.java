package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * The rotation function of the webhook strategy: a Service in the ManagedSecret's own namespace,
 * reached over HTTPS and verified with {@link #caBundle} against the Service's DNS name. There is
 * no namespace and no URL to set: the operator never reaches anywhere else for a tenant.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WebhookSpec {

  /** The longest CA bundle taken, in characters of PEM (a few certificates). */
  public static final int MAX_CA_BUNDLE = 16384;

  @JsonPropertyDescription(
      "The Service of the rotation function, in the ManagedSecret's namespace; it serves HTTPS.")
  @Required
  public WebhookService service;

  @JsonPropertyDescription(
      "PEM certificates of the CA that signed the function's serving certificate, whose subject"
          + " alternative names must hold <service>.<namespace>.svc; at most 16384 characters.")
  @Required
  @Size(min = 1, max = MAX_CA_BUNDLE)
  public String caBundle;
}
