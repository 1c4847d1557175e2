package dev.managedsecrets.operator.kms;

/** A KMS key's state, as AWS KMS names it. Only an enabled key makes or opens data keys. */
public enum KeyState {
  ENABLED("Enabled"),
  DISABLED("Disabled"),
  PENDING_DELETION("PendingDeletion");

  private final String awsName;

  KeyState(String awsName) {
    this.awsName = awsName;
  }

  /** The name AWS KMS and the KmsKey status use. */
  public String awsName() {
    return awsName;
  }
}
