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

  /** The state of an AWS name, as keys.json and the KmsKey status write it. */
  public static KeyState fromAwsName(String name) {
    for (KeyState s : values()) {
      if (s.awsName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("Unknown key state " + name);
  }
}
