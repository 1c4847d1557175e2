package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.rotation.RotationRequests;
import dev.managedsecrets.operator.endpoint.Authorizer.Need;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * RotateSecret and CancelRotateSecret, with the rules of {@link RotationRequests}: they write
 * {@code spec.rotation} only where no other writer set it (GitOps keeps what it applied), and start
 * a rotation with the annotation {@link RotationRequests#ROTATE_NOW}, whose value, the request's
 * token, becomes the VersionId of the rotation's new version. The rotation itself runs in the
 * reconciler, after the answer, as AWS's rotation function runs after RotateSecret answers.
 */
final class RotationOperations {

  private final Services s;

  RotationOperations(Services services) {
    this.s = services;
  }

  Map<String, Operation> operations() {
    Map<String, Operation> ops = new LinkedHashMap<>();
    ops.put("RotateSecret", this::rotate);
    ops.put("CancelRotateSecret", this::cancel);
    return ops;
  }

  ObjectNode rotate(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    String token = Members.token(in);
    String lambda = in.optional("RotationLambdaARN", 0, 2048);
    Input given = in.structure("RotationRules");
    Boolean immediately = in.optionalBool("RotateImmediately");
    RotationRequests.Rules rules =
        given == null
            ? null
            : new RotationRequests.Rules(
                given.integer("AutomaticallyAfterDays"),
                given.string("ScheduleExpression"),
                given.string("Duration"));
    Lookup.Target t =
        s.lookup().authorized(caller.principal(), "RotateSecret", secretId, Need.of("patch"));
    Services.requireLive(t);
    if (lambda != null) {
      throw AwsException.invalidParameter(RotationRequests.NO_LAMBDA);
    }
    ManagedSecret ms = t.object();
    Map<String, List<String>> stages = t.record().versionIdsToStages();
    String rotateNow = annotation(ms);
    boolean now = RotationRequests.rotatesNow(immediately);
    ObjectNode out = Output.secret(t.arn(), t.name());
    if (now
        && (RotationRequests.askedBefore(stages, rotateNow, token)
            || token != null && t.record().version(token).isPresent())) {
      out.put("VersionId", token); // a retry of the same request: nothing more happens
      return out;
    }
    RotationRequests.requireNoneUnfinished(
        stages, rotateNow, ms.getStatus() == null ? null : ms.getStatus().rotateNowHandled);
    ManagedSecretSpec checked = Output.JSON.convertValue(ms.getSpec(), ManagedSecretSpec.class);
    RotationRequests.rotate(checked, rules, immediately);
    String versionId = now ? RotationRequests.token(token) : null;
    Map<String, String> annotations =
        versionId == null ? Map.of() : Map.of(RotationRequests.ROTATE_NOW, versionId);
    if (!Objects.equals(tree(checked), tree(ms.getSpec()))) {
      s.objects()
          .changeSpec(
              ms,
              t.name(),
              List.of("rotation"),
              spec -> RotationRequests.rotate(spec, rules, immediately),
              annotations);
    } else if (versionId != null) {
      s.objects().annotate(ms, RotationRequests.ROTATE_NOW, versionId);
    }
    if (versionId != null) {
      out.put("VersionId", versionId);
    }
    return out;
  }

  ObjectNode cancel(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    Lookup.Target t =
        s.lookup().authorized(caller.principal(), "CancelRotateSecret", secretId, Need.of("patch"));
    Services.requireLive(t);
    ManagedSecret ms = t.object();
    RotationRequests.cancel(Output.JSON.convertValue(ms.getSpec(), ManagedSecretSpec.class));
    if (!Boolean.FALSE.equals(ms.getSpec().rotation.enabled)) {
      s.objects().changeSpec(ms, t.name(), List.of("rotation"), RotationRequests::cancel);
    }
    ObjectNode out = Output.secret(t.arn(), t.name());
    // As AWS: the version the unfinished rotation made, for the caller to look at.
    RotationRequests.unfinished(t.record().versionIdsToStages())
        .ifPresent(v -> out.put("VersionId", v));
    return out;
  }

  private static String annotation(ManagedSecret ms) {
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(RotationRequests.ROTATE_NOW);
  }

  private static Object tree(ManagedSecretSpec spec) {
    return Output.JSON.valueToTree(spec);
  }
}
