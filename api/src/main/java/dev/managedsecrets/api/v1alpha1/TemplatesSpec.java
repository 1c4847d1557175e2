package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** Secret keys rendered by the template language (docs/TEMPLATES.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TemplatesSpec {

  @JsonPropertyDescription(
      "Version of the template language: v1 (Pebble syntax, sandboxed, with the template"
          + " library's functions). A later version will be a new value here, so a template's"
          + " meaning never changes under it.")
  @Required
  @io.fabric8.generator.annotation.Pattern("^v1$")
  public String engineVersion;

  @JsonPropertyDescription(
      "Secret keys and their templates, such as DATABASE_URL: postgres://{{ username | urlencode"
          + " }}:{{ password | urlencode }}@{{ host }}/{{ dbname }}. A template reads each key of the"
          + " value ({{ username }}, or {{ secret['tls.crt'] }}) and nothing else. At most 64"
          + " templates of at most 65536 characters, keys 1-253 characters; the Secret's data,"
          + " rendered, at most 1048576 bytes.")
  @Required
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(k, size(k) >= 1 && size(k) <= 253)",
      message = "target.templates.data keys must be 1-253 characters.")
  public Map<String, @Size(max = 65536) String> data;
}
