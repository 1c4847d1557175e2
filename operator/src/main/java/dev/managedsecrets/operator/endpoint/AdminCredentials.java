package dev.managedsecrets.operator.endpoint;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local administrator's access key of embedded mode, as a file in the AWS shared credentials
 * format (profile {@code default}), so that it survives a restart and AWS tools can read it ({@code
 * AWS_SHARED_CREDENTIALS_FILE}); and the {@code export} line that a shell takes.
 */
public final class AdminCredentials {

  private static final Pattern KEY_ID =
      Pattern.compile("(?m)^\\s*aws_access_key_id\\s*=\\s*(AKIA[A-Z2-7]{16})\\s*$");
  private static final Pattern SECRET =
      Pattern.compile("(?m)^\\s*aws_secret_access_key\\s*=\\s*([A-Za-z0-9+/]{40})\\s*$");

  private AdminCredentials() {}

  /** The key a credentials file written by {@link #file} holds, if it holds one. */
  public static Optional<AccessKeys.AccessKey> read(String text, Principal administrator) {
    Matcher id = KEY_ID.matcher(text);
    Matcher secret = SECRET.matcher(text);
    if (!id.find() || !secret.find()) {
      return Optional.empty();
    }
    return Optional.of(new AccessKeys.AccessKey(id.group(1), secret.group(1), administrator));
  }

  /** The credentials file's text. */
  public static String file(AccessKeys.AccessKey key, String region, String url) {
    return "# The Secrets Manager endpoint's local administrator (embedded mode), a user in"
        + " system:masters.\n"
        + "# Readable by its owner only. AWS tools read it with"
        + " AWS_SHARED_CREDENTIALS_FILE=<this file>,\n"
        + "# with AWS_REGION="
        + region
        + " and AWS_ENDPOINT_URL_SECRETS_MANAGER="
        + url
        + ".\n"
        + "[default]\n"
        + "aws_access_key_id = "
        + key.accessKeyId()
        + "\n"
        + "aws_secret_access_key = "
        + key.secretAccessKey()
        + "\n";
  }

  /**
   * One shell line that sets what the AWS CLI and SDKs need to call the endpoint (the AWS CLI v1
   * reads the region from AWS_DEFAULT_REGION, the SDKs from AWS_REGION).
   */
  public static String exports(AccessKeys.AccessKey key, String region, String url) {
    return "export AWS_ACCESS_KEY_ID="
        + key.accessKeyId()
        + " AWS_SECRET_ACCESS_KEY="
        + key.secretAccessKey()
        + " AWS_REGION="
        + region
        + " AWS_DEFAULT_REGION="
        + region
        + " AWS_ENDPOINT_URL_SECRETS_MANAGER="
        + url;
  }
}
