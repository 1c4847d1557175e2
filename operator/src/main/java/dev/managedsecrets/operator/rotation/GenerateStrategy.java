package dev.managedsecrets.operator.rotation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.generate.GeneratedKeyNames;
import dev.managedsecrets.core.generate.Issuers;
import dev.managedsecrets.core.rotation.RotationRules;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import java.util.Map;

/**
 * The generate strategy: new values for the generate keys (their GetRandomPassword parameters),
 * every other key as it is. setSecret has nothing to do (no system outside holds a generated
 * value); testSecret checks that the pending value holds every generate key as text.
 */
public final class GenerateStrategy implements RotationStrategy {

  private final ValueAssembler values;
  private final Map<String, GenerateSpec> generate;
  private final Issuers issuers;

  public GenerateStrategy(ValueAssembler values, Map<String, GenerateSpec> generate) {
    this(values, generate, Issuers.NONE);
  }

  /** {@code issuers}: where the CA of a generated certificate that names an issuer is found. */
  public GenerateStrategy(
      ValueAssembler values, Map<String, GenerateSpec> generate, Issuers issuers) {
    this.values = values;
    this.generate = Map.copyOf(generate);
    this.issuers = issuers;
  }

  @Override
  public String name() {
    return RotationRules.GENERATE;
  }

  @Override
  public SecretValue createSecret(SecretValue current) {
    return values.rotate(current, generate, Map.of(), issuers);
  }

  @Override
  public void setSecret(StagedValues staged) {
    // Nothing outside holds a generated value.
  }

  @Override
  public void testSecret(StagedValues staged) {
    ObjectNode object = ValueAssembler.parseObject(staged.pending());
    boolean complete =
        object != null
            && generate.entrySet().stream()
                .flatMap(e -> GeneratedKeyNames.of(e.getKey(), e.getValue()).stream())
                .allMatch(k -> object.path(k).isTextual());
    if (!complete) {
      throw new SecretsManagerException(
          AwsError.INVALID_REQUEST_EXCEPTION,
          "testSecret: the AWSPENDING version does not hold a value for every generate key.");
    }
  }
}
