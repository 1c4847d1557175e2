package dev.managedsecrets.cli;

/**
 * A failure that the plugin reports on stderr and in its exit code, with the AWS CLI's codes: 252
 * for a command line it cannot use, 253 for a configuration (kubeconfig) it cannot use, 254 for an
 * error of the service (a ManagedSecret's condition, a missing secret), 255 for anything else.
 */
public class CliException extends RuntimeException {

  /** The command line is wrong: an unknown option, a missing file, a value it cannot parse. */
  public static final int USAGE = 252;

  /** The kubeconfig cannot be read or names no usable context. */
  public static final int CONFIGURATION = 253;

  /** The service answered with an error: AWS's exception name and message. */
  public static final int SERVICE = 254;

  /** Anything else: an unreachable API server, a wait that timed out. */
  public static final int GENERAL = 255;

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** The text for stderr; {@code operation} is the AWS operation name, e.g. CreateSecret. */
  public String render(String operation) {
    return getMessage();
  }

  /** A parameter the plugin could not read, in the AWS CLI's words. */
  public static CliException parameter(String option, String problem) {
    return new CliException(USAGE, "Error parsing parameter '" + option + "': " + problem);
  }
}
