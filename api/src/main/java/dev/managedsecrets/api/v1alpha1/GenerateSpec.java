package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;

/** GetRandomPassword parameters for one generated key. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GenerateSpec {

  @JsonPropertyDescription("Length of the password, 1-4096 (default 32).")
  @Min(1)
  @Max(4096)
  public Integer passwordLength;

  @JsonPropertyDescription("Characters never to use.")
  @Size(max = 4096)
  public String excludeCharacters;

  @JsonPropertyDescription("Use no digits.")
  public Boolean excludeNumbers;

  @JsonPropertyDescription("Use none of the 32 punctuation characters.")
  public Boolean excludePunctuation;

  @JsonPropertyDescription("Use no uppercase letters.")
  public Boolean excludeUppercase;

  @JsonPropertyDescription("Use no lowercase letters.")
  public Boolean excludeLowercase;

  @JsonPropertyDescription("Allow the space character.")
  public Boolean includeSpace;

  @JsonPropertyDescription("Use at least one character of every included type (default true).")
  public Boolean requireEachIncludedType;
}
