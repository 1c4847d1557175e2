package dev.managedsecrets.core.replication;

/**
 * A replica payload that does not open, or one too large to seal, and why. The message names key
 * ids, regions, the namespace and name, and sizes; never a value, a tag's value, a key name of a
 * value, or any other byte of the plaintext.
 */
public final class ReplicaSealException extends RuntimeException {

  /** Why a payload is refused. */
  public enum Reason {
    /** Not a sealed replica payload: another text, bad base64url, a header or encoding not ours. */
    MALFORMED,
    /** Larger than a replica object holds, or than the payload's bounds allow. */
    TOO_LARGE,
    /** Sealed for a sealing key this operator does not hold. */
    UNKNOWN_RECIPIENT_KEY,
    /** Sealed by a sender key this operator does not accept replicas from. */
    UNKNOWN_SENDER_KEY,
    /** Sealed for another primary region, region, namespace or name than the object it is in. */
    WRONG_DESTINATION,
    /** It does not authenticate: altered, cut short, or sealed by a key other than it names. */
    NOT_AUTHENTIC
  }

  private final Reason reason;

  public ReplicaSealException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
