package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.ParamFiles;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.PasswordGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * GetRandomPassword, computed here with the operator's own generator: the same character classes
 * and rules as the {@code generate} keys of a ManagedSecret. It needs no cluster.
 */
@Command(
    name = "get-random-password",
    sortOptions = false,
    description = "Generates a random password locally (the operator's GetRandomPassword).")
public final class GetRandomPassword extends SecretCommand {

  @Option(names = "--password-length", paramLabel = "<n>", description = "1-4096 (default 32).")
  Long passwordLength;

  @Option(
      names = "--exclude-characters",
      paramLabel = "<chars>",
      description = "Characters never to use.")
  String excludeCharacters;

  @Option(names = "--exclude-numbers", negatable = true, description = "No digits.")
  Boolean excludeNumbers;

  @Option(
      names = "--exclude-punctuation",
      negatable = true,
      description = "None of !\"#$%%&'()*+,-./:;<=>?@[\\]^_`{|}~.")
  Boolean excludePunctuation;

  @Option(names = "--exclude-uppercase", negatable = true, description = "No upper case letters.")
  Boolean excludeUppercase;

  @Option(names = "--exclude-lowercase", negatable = true, description = "No lower case letters.")
  Boolean excludeLowercase;

  @Option(names = "--include-space", negatable = true, description = "Allow the space character.")
  Boolean includeSpace;

  @Option(
      names = "--require-each-included-type",
      negatable = true,
      description = "At least one character of every included type (default).")
  Boolean requireEachIncludedType;

  @Override
  public String operation() {
    return "GetRandomPassword";
  }

  @Override
  protected JsonNode execute() {
    GenerateSpec spec = new GenerateSpec();
    if (passwordLength != null) {
      if (passwordLength < 1 || passwordLength > 4096) {
        throw new ServiceException(
            "InvalidParameterException",
            "PasswordLength must be between 1 and 4096; it was " + passwordLength + ".");
      }
      spec.passwordLength = passwordLength.intValue();
    }
    spec.excludeCharacters = ParamFiles.text("--exclude-characters", excludeCharacters);
    spec.excludeNumbers = excludeNumbers;
    spec.excludePunctuation = excludePunctuation;
    spec.excludeUppercase = excludeUppercase;
    spec.excludeLowercase = excludeLowercase;
    spec.includeSpace = includeSpace;
    spec.requireEachIncludedType = requireEachIncludedType;
    try {
      ObjectNode out = Json.object();
      out.put("RandomPassword", new PasswordGenerator().generate(spec));
      return out;
    } catch (SecretsManagerException e) {
      throw ServiceException.of(e);
    }
  }
}
