package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A tag: not encrypted, so never a place for secrets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!self.key.lowerAscii().startsWith('aws:')",
    message = "Tag keys starting with aws: are reserved for AWS use.")
public class Tag {

  @JsonPropertyDescription("Tag key, 1-128 characters, case-sensitive.")
  @Required
  @Size(min = 1, max = 128)
  public String key;

  @JsonPropertyDescription("Tag value, 0-256 characters.")
  @Size(max = 256)
  public String value;

  public Tag() {}

  public Tag(String key, String value) {
    this.key = key;
    this.value = value;
  }
}
