package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.aws.Shorthand;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.rotation.RotationRequests;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * RotateSecret, with the endpoint's rules ({@link RotationRequests}): spec.rotation from
 * --rotation-rules (or turned on again), and a rotation started with the annotation
 * managedsecrets.dev/rotate-now, whose value becomes the new version's VersionId. As in AWS, the
 * rotation runs after the answer: the operator runs it.
 */
@Command(
    name = "rotate-secret",
    sortOptions = false,
    description =
        "Sets up rotation (spec.rotation) and rotates now; prints ARN, Name and the VersionId the"
            + " rotation's new version gets.")
public final class RotateSecret extends SecretCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--rotation-rules",
      paramLabel = "<rules>",
      description =
          "AutomaticallyAfterDays=30,Duration=2h or ScheduleExpression=\"rate(10 days)\", or JSON"
              + " {\"ScheduleExpression\":\"cron(0 4 1,15 * ? *)\"}.")
  String rotationRules;

  @Option(
      names = "--rotate-immediately",
      negatable = true,
      description =
          "Rotate now (default); --no-rotate-immediately only tests the rotation when it is turned"
              + " on, and rotates in the first window.")
  Boolean rotateImmediately;

  @Option(
      names = "--client-request-token",
      paramLabel = "<token>",
      description = "Idempotency token, 32-64 characters; becomes the new version's VersionId.")
  String clientRequestToken;

  @Option(
      names = "--rotation-lambda-arn",
      paramLabel = "<arn>",
      description = "Not supported: the operator rotates without Lambda functions.")
  String rotationLambdaArn;

  @Override
  public String operation() {
    return "RotateSecret";
  }

  @Override
  protected JsonNode execute() {
    RotationRequests.Rules rules =
        rotationRules == null ? null : Shorthand.rotationRules("--rotation-rules", rotationRules);
    if (clientRequestToken != null && !RotationRequests.isToken(clientRequestToken)) {
      throw new ServiceException(
          "ValidationException",
          "1 validation error detected: Value at 'clientRequestToken' failed to satisfy"
              + " constraint: Member must have length between 32 and 64");
    }
    if (rotationLambdaArn != null) {
      throw ServiceException.invalidParameter(RotationRequests.NO_LAMBDA);
    }
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    ManagedSecretStatus status = ms.getStatus();
    Map<String, List<String>> stages = status == null ? null : status.versionIdsToStages;
    String rotateNow = annotation(ms);
    boolean now = RotationRequests.rotatesNow(rotateImmediately);
    ObjectNode out = Responses.arnAndName(ms);
    if (now && RotationRequests.askedBefore(stages, rotateNow, clientRequestToken)) {
      out.put("VersionId", clientRequestToken);
      return out;
    }
    ManagedSecretSpec checked = rotated(ms, rules);
    aws(
        () ->
            RotationRequests.requireNoneUnfinished(
                stages, rotateNow, status == null ? null : status.rotateNowHandled));
    Checks.validate(ms, spec -> spec.rotation = checked.rotation);
    String versionId = now ? RotationRequests.token(clientRequestToken) : null;
    boolean changes = !Objects.equals(Json.MAPPER.valueToTree(checked), tree(ms.getSpec()));
    if (changes || versionId != null) {
      secrets.patchSpec(
          ms,
          latest -> changes ? rotationPatch(rotated(latest, rules).rotation) : null,
          versionId == null ? Map.of() : Map.of(RotationRequests.ROTATE_NOW, versionId));
    }
    if (versionId != null) {
      out.put("VersionId", versionId);
    }
    return out;
  }

  /** The spec RotateSecret makes of {@code ms}'s; refused as the endpoint refuses it. */
  private ManagedSecretSpec rotated(ManagedSecret ms, RotationRequests.Rules rules) {
    return changed(ms, spec -> RotationRequests.rotate(spec, rules, rotateImmediately));
  }

  /** A merge patch of spec.rotation to {@code r}: the fields RotateSecret sets, null when unset. */
  static ObjectNode rotationPatch(RotationSpec r) {
    ObjectNode patch = Json.object();
    ObjectNode rotation = patch.putObject("rotation");
    rotation.set("automaticallyAfterDays", Json.MAPPER.valueToTree(r.automaticallyAfterDays));
    rotation.set("scheduleExpression", Json.MAPPER.valueToTree(r.scheduleExpression));
    rotation.set("duration", Json.MAPPER.valueToTree(r.duration));
    rotation.set("rotateImmediately", Json.MAPPER.valueToTree(r.rotateImmediately));
    rotation.set("enabled", Json.MAPPER.valueToTree(r.enabled));
    return patch;
  }

  static String annotation(ManagedSecret ms) {
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(RotationRequests.ROTATE_NOW);
  }

  /** Runs a rule of {@link RotationRequests}, its refusal as AWS's error. */
  static void aws(Runnable rule) {
    try {
      rule.run();
    } catch (SecretsManagerException e) {
      throw ServiceException.of(e);
    }
  }

  private static JsonNode tree(ManagedSecretSpec spec) {
    return Json.MAPPER.valueToTree(spec == null ? new ManagedSecretSpec() : spec);
  }

  /** For {@link CancelRotateSecret}: the spec's rotation, changed as {@code change} does. */
  static ManagedSecretSpec changed(ManagedSecret ms, Consumer<ManagedSecretSpec> change) {
    ManagedSecretSpec spec =
        ms.getSpec() == null
            ? new ManagedSecretSpec()
            : Json.MAPPER.convertValue(ms.getSpec(), ManagedSecretSpec.class);
    aws(() -> change.accept(spec));
    return spec;
  }
}
