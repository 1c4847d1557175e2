package dev.managedsecrets.operator.reconcile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.IssuerReference;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.generate.GeneratedKeyNames;
import dev.managedsecrets.core.generate.Issuer;
import dev.managedsecrets.core.generate.Issuers;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The CAs that a ManagedSecret's generated certificates name: the tlsCertificate of another
 * ManagedSecret of the same namespace, found by name in the operator's cache (never in another
 * namespace), read from its AWSCURRENT version. Asked only when a certificate is made.
 */
final class CertificateIssuers implements Issuers {

  private final SecretsManagerService secrets;
  private final ManagedSecret ms;
  private final Context<ManagedSecret> context;

  CertificateIssuers(
      SecretsManagerService secrets, ManagedSecret ms, Context<ManagedSecret> context) {
    this.secrets = secrets;
    this.ms = ms;
    this.context = context;
  }

  /** How soon an issuer that is not there yet is looked for again, at the latest. */
  static final java.time.Duration RECHECK = java.time.Duration.ofSeconds(5);

  /**
   * The issuer is not there yet (applied with its certificates, say): looked at again after {@link
   * #RECHECK} (or the poll interval, when shorter).
   */
  static final class NotReady extends SecretsManagerException {
    NotReady(String message) {
      super(AwsError.RESOURCE_NOT_FOUND_EXCEPTION, message);
    }
  }

  @Override
  public Issuer find(IssuerReference ref) {
    String namespace = ms.getMetadata().getNamespace();
    String what = "The issuer ManagedSecret " + ref.name + " of namespace " + namespace;
    ManagedSecret issuer =
        context.getPrimaryCache().get(new ResourceID(ref.name, namespace)).orElse(null);
    if (issuer != null && issuer.getMetadata().getUid().equals(ms.getMetadata().getUid())) {
      throw SecretsManagerException.invalidParameter(
          what + " is this ManagedSecret: a certificate's issuer is another ManagedSecret.");
    }
    if (issuer == null || issuer.getStatus() == null || issuer.getStatus().arn == null) {
      throw new NotReady(what + " does not exist or has no value yet; looked at again shortly.");
    }
    SecretValue value =
        SameNamespace.current(secrets, issuer)
            .orElseThrow(() -> new NotReady(what + " has no value yet; looked at again shortly."));
    try {
      ObjectNode object = ValueAssembler.parseObject(value);
      if (object == null) {
        throw SecretsManagerException.invalidParameter(what + " does not hold a JSON object.");
      }
      return Issuer.of(
          object.path(GeneratedKeyNames.certificate(ref.key)).asText(null),
          object.path(GeneratedKeyNames.certificateKey(ref.key)).asText(null),
          what);
    } finally {
      value.clear();
    }
  }
}
