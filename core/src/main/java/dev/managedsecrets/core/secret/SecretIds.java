package dev.managedsecrets.core.secret;

import java.util.regex.Pattern;

/**
 * The SecretId of a request, checked as AWS checks it before anything is looked up: an ARN, or a
 * name of the characters a name may have; anything else is ValidationException with AWS's text. The
 * Secrets Manager endpoint and the kubectl plugin both check with it.
 */
public final class SecretIds {

  public static final String INVALID_NAME =
      "Invalid name. Must be a valid name containing alphanumeric characters, or any of the"
          + " following: -/_+=.@!";

  private static final Pattern NAME_CHARACTERS = Pattern.compile("[A-Za-z0-9/_+=.@-]+");

  private SecretIds() {}

  /** {@code secretId} when it is an ARN or a well-formed name; else ValidationException. */
  public static String require(String secretId) {
    if (secretId == null
        || (!secretId.startsWith("arn:") && !NAME_CHARACTERS.matcher(secretId).matches())) {
      throw new SecretsManagerException(AwsError.VALIDATION_EXCEPTION, INVALID_NAME);
    }
    return secretId;
  }
}
