package dev.managedsecrets.core.secret;

/** The staging labels that AWS Secrets Manager gives a meaning to. */
public final class StagingLabels {
  public static final String AWSCURRENT = "AWSCURRENT";
  public static final String AWSPREVIOUS = "AWSPREVIOUS";
  public static final String AWSPENDING = "AWSPENDING";

  /** The labels the operator moves itself. */
  public static final java.util.Set<String> SYSTEM =
      java.util.Set.of(AWSCURRENT, AWSPREVIOUS, AWSPENDING);

  private StagingLabels() {}
}
