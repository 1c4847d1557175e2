package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * The AWSPREVIOUS version projected beside AWSCURRENT, each of its keys under the key and a suffix,
 * for a grace period after each change of AWSCURRENT: applications accept both while they roll
 * over.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreviousValueSpec {

  /**
   * A grace period: a whole number of minutes (1m-43200m) or hours (1h-720h). The pattern is the
   * bound: no rule needs to read the value.
   */
  public static final String GRACE_PERIOD =
      "^(([1-9][0-9]{0,3}|[1-3][0-9]{4}|4[0-2][0-9]{3}|43200)m"
          + "|([1-9][0-9]?|[1-6][0-9]{2}|7[01][0-9]|720)h)$";

  /** A key suffix: characters of a Secret key. */
  public static final String KEY_SUFFIX = "^[-._a-zA-Z0-9]{1,63}$";

  @JsonPropertyDescription(
      "How long after each change of AWSCURRENT (counted from the current version's creation)"
          + " the previous version's keys stay in the Secret: a whole number of minutes or hours,"
          + " 1m-720h. Default 24h.")
  @Size(min = 2, max = 6)
  @Pattern(GRACE_PERIOD)
  public String gracePeriod;

  @JsonPropertyDescription(
      "Appended to each key of the previous version: its keys are <key><keySuffix>. 1-63"
          + " characters of a Secret key ([-._a-zA-Z0-9]). Default _PREVIOUS. A resulting key that"
          + " is also a key of the current version is refused.")
  @Size(min = 1, max = 63)
  @Pattern(KEY_SUFFIX)
  public String keySuffix;

  public PreviousValueSpec() {}

  public PreviousValueSpec(String gracePeriod, String keySuffix) {
    this.gracePeriod = gracePeriod;
    this.keySuffix = keySuffix;
  }
}
