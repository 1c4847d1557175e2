package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.value.PasswordGenerator;
import dev.managedsecrets.operator.endpoint.Authorizer.Need;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GetRandomPassword, and the operations of a capability the endpoint does not serve yet (resource
 * policies), which answer as AWS answers for a secret that has none.
 */
final class OtherOperations {

  private final Services s;
  private final PasswordGenerator passwords = new PasswordGenerator();

  OtherOperations(Services services) {
    this.s = services;
  }

  Map<String, Operation> operations() {
    Map<String, Operation> ops = new LinkedHashMap<>();
    ops.put("GetRandomPassword", this::randomPassword);
    ops.put("GetResourcePolicy", noPolicy("GetResourcePolicy", Need.of("get")));
    ops.put("DeleteResourcePolicy", noPolicy("DeleteResourcePolicy", Need.of("patch")));
    ops.put(
        "PutResourcePolicy",
        refused(
            "PutResourcePolicy",
            "Resource policies are not available through this endpoint yet: grant access with"
                + " RBAC on managedsecrets and managedsecrets/value."));
    ops.put(
        "ValidateResourcePolicy",
        (caller, in) -> {
          throw AwsException.invalidRequest(
              "Resource policies are not available through this endpoint yet.");
        });
    return ops;
  }

  /** GetRandomPassword, with AWS's parameters and defaults; it touches no secret. */
  ObjectNode randomPassword(Caller caller, Input in) {
    GenerateSpec spec = new GenerateSpec();
    Long length = in.number("PasswordLength");
    if (length != null && (length < 1 || length > 4096)) {
      throw AwsException.validation(
          "1 validation error detected: Value '"
              + length
              + "' at 'passwordLength' failed to satisfy constraint: Member must have value "
              + (length < 1 ? "greater than or equal to 1" : "less than or equal to 4096"));
    }
    spec.passwordLength = length == null ? null : length.intValue();
    spec.excludeCharacters = in.optional("ExcludeCharacters", 0, 4096);
    spec.excludeNumbers = in.optionalBool("ExcludeNumbers");
    spec.excludePunctuation = in.optionalBool("ExcludePunctuation");
    spec.excludeUppercase = in.optionalBool("ExcludeUppercase");
    spec.excludeLowercase = in.optionalBool("ExcludeLowercase");
    spec.includeSpace = in.optionalBool("IncludeSpace");
    spec.requireEachIncludedType = in.optionalBool("RequireEachIncludedType");
    ObjectNode out = Output.object();
    out.put("RandomPassword", passwords.generate(spec));
    return out;
  }

  /** An operation on a secret that is refused, once the caller may change the secret. */
  private Operation refused(String operation, String message) {
    return (caller, in) -> {
      String secretId = Members.secretId(in);
      Lookup.Target t =
          s.lookup().authorized(caller.principal(), operation, secretId, Need.of("patch"));
      Services.requireLive(t);
      throw AwsException.invalidRequest(message);
    };
  }

  /** GetResourcePolicy and DeleteResourcePolicy of a secret that has no policy. */
  private Operation noPolicy(String operation, Need need) {
    return (caller, in) -> {
      String secretId = Members.secretId(in);
      Lookup.Target t = s.lookup().authorized(caller.principal(), operation, secretId, need);
      ObjectNode out = Output.secret(t.arn(), t.name());
      return out;
    };
  }
}
