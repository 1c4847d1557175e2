package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.aws.ParamFiles;
import picocli.CommandLine.Option;

/** --secret-string and --secret-binary: the whole value, literal, file:// or fileb://. */
public final class ValueOptions {

  @Option(
      names = "--secret-string",
      paramLabel = "<string>",
      description = "The value as text: literal, file://path or fileb://path (UTF-8).")
  String secretString;

  @Option(
      names = "--secret-binary",
      paramLabel = "<blob>",
      description = "The value as bytes: fileb://path, or base64 (literal or file://path).")
  String secretBinary;

  /** True when a value was given. */
  boolean given() {
    return secretString != null || secretBinary != null;
  }

  /** Reads the files and checks the value; sets it on the spec. */
  void applyTo(ManagedSecretSpec spec) {
    if (secretString != null && secretBinary != null) {
      throw new CliException(
          CliException.USAGE,
          "You can't specify both --secret-string and --secret-binary: a secret value is text or"
              + " bytes.");
    }
    if (secretString != null) {
      spec.secretString = ParamFiles.text("--secret-string", secretString);
    }
    if (secretBinary != null) {
      spec.secretBinary = ParamFiles.base64("--secret-binary", secretBinary);
    }
  }

  /**
   * The spec fields of a new whole value, sealed ({@link ValueSealing}), as a merge patch: the
   * value replaces every other value field, plain or sealed (PutSecretValue replaces the value,
   * whatever form it had), and the scope is strict again (sealedScope removed).
   */
  static void patchValue(ObjectNode patch, ManagedSecretSpec sealed) {
    patch.put("sealedSecretString", sealed.sealedSecretString);
    patch.put("sealedSecretBinary", sealed.sealedSecretBinary);
    patch.putNull("secretString");
    patch.putNull("secretBinary");
    patch.putNull("sealedData");
    patch.putNull("sealedScope");
    patch.putNull("fromSecret");
    patch.putNull("data");
    patch.putNull("generate");
    patch.putNull("database");
  }
}
