package dev.managedsecrets.operator.reconcile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.IssuerReference;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.generate.GeneratedKeyNames;
import dev.managedsecrets.core.generate.Issuer;
import dev.managedsecrets.core.generate.Issuers;
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

  @Override
  public Issuer find(IssuerReference ref) {
    String namespace = ms.getMetadata().getNamespace();
    String what = "The issuer ManagedSecret " + ref.name + " of namespace " + namespace;
    ManagedSecret issuer =
        context.getPrimaryCache().get(new ResourceID(ref.name, namespace)).orElse(null);
    if (issuer == null
        || issuer.getMetadata().getUid().equals(ms.getMetadata().getUid())
        || issuer.getStatus() == null
        || issuer.getStatus().arn == null) {
      throw SecretsManagerException.invalidParameter(
          what
              + " is not another ManagedSecret with a value: a certificate's issuer is another"
              + " ManagedSecret of the same namespace.");
    }
    SecretValue value =
        SameNamespace.current(secrets, issuer)
            .orElseThrow(
                () -> SecretsManagerException.invalidParameter(what + " has no value yet."));
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
