package dev.managedsecrets.core.secret;

import java.security.SecureRandom;

/** ARNs in AWS's layout: arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX. */
public final class Arns {

  private static final String ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String partition;
  private final String region;
  private final String account;

  public Arns(String partition, String region, String account) {
    this.partition = partition;
    this.region = region;
    this.account = account;
  }

  /** A new secret ARN with a fresh random six-character suffix. */
  public String newSecretArn(String secretName) {
    StringBuilder suffix = new StringBuilder(6);
    for (int i = 0; i < 6; i++) {
      suffix.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
    }
    return "arn:"
        + partition
        + ":secretsmanager:"
        + region
        + ":"
        + account
        + ":secret:"
        + secretName
        + "-"
        + suffix;
  }

  /** A key's ARN; on the path of every data key, so concatenated rather than formatted. */
  public String keyArn(String keyId) {
    return "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + keyId;
  }
}
