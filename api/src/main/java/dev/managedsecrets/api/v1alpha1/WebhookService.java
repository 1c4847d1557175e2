package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Service in the ManagedSecret's namespace, by name, with the port and path of the function. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WebhookService {

  /** A Service's name: a DNS-1035 label (no dot, so no other namespace through DNS either). */
  public static final String NAME = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

  /** An absolute path of URI characters, without a query or a fragment. */
  public static final String PATH = "^/[A-Za-z0-9\\-._~/%!$&'()*+,;=:@]*$";

  public static final int DEFAULT_PORT = 443;
  public static final String DEFAULT_PATH = "/";
  public static final int MAX_PATH = 1024;

  @JsonPropertyDescription("Name of the Service, in the ManagedSecret's namespace.")
  @Required
  @Size(min = 1, max = 63)
  @Pattern(NAME)
  public String name;

  @JsonPropertyDescription("The Service's port that serves HTTPS (default 443).")
  @Min(1)
  @Max(65535)
  public Integer port;

  @JsonPropertyDescription(
      "The path the steps are POSTed to (default /); at most 1024 characters, no query.")
  @Size(min = 1, max = MAX_PATH)
  @Pattern(PATH)
  public String path;
}
