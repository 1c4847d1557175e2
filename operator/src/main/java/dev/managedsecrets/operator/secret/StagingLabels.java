package dev.managedsecrets.operator.secret;

/** The staging labels that AWS Secrets Manager gives a meaning to. */
public final class StagingLabels {
  public static final String AWSCURRENT = "AWSCURRENT";
  public static final String AWSPREVIOUS = "AWSPREVIOUS";
  public static final String AWSPENDING = "AWSPENDING";

  private StagingLabels() {}
}
