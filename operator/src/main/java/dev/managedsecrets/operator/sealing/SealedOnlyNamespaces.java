package dev.managedsecrets.operator.sealing;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;

/**
 * Namespaces that accept only sealed values ({@code sealing.sealedOnlyNamespaceSelector}): there a
 * ManagedSecret whose spec holds a value in plain text ({@code data}, {@code secretString}, {@code
 * secretBinary}) is refused with ValidationException, before anything is stored. The Namespace is
 * read only for such a spec, so ManagedSecrets that seal their values cost nothing more.
 */
public final class SealedOnlyNamespaces {

  private final KubernetesClient client;
  private final NamespaceSelector selector;

  /**
   * @param selector the configured selector; null: every namespace accepts plain text
   */
  public SealedOnlyNamespaces(KubernetesClient client, String selector) {
    this.client = client;
    this.selector = selector == null ? null : NamespaceSelector.parse(selector);
  }

  /**
   * @throws SecretsManagerException ValidationException when the namespace accepts only sealed
   *     values and the spec holds a plain one
   */
  public void check(ManagedSecret ms) {
    if (selector == null) {
      return;
    }
    List<String> plain = plainFields(ms.getSpec());
    if (plain.isEmpty()) {
      return;
    }
    String namespace = ms.getMetadata().getNamespace();
    Namespace found;
    try {
      found = client.namespaces().withName(namespace).get();
    } catch (KubernetesClientException e) {
      throw new SecretsManagerException(
          AwsError.INTERNAL_SERVICE_ERROR,
          "Could not read namespace "
              + namespace
              + " (the Kubernetes API answered "
              + e.getCode()
              + "); retrying.",
          e);
    }
    if (found != null && selector.matches(found.getMetadata().getLabels())) {
      throw SecretsManagerException.validation(
          "Namespace "
              + namespace
              + " accepts only sealed values (its labels match sealing.sealedOnlyNamespaceSelector "
              + selector
              + "), and spec."
              + String.join(", spec.", plain)
              + " holds a value in plain text. Seal it with kubectl managedsecret seal into"
              + " sealedData, sealedSecretString or sealedSecretBinary.");
    }
  }

  private static List<String> plainFields(ManagedSecretSpec spec) {
    List<String> out = new ArrayList<>();
    if (spec == null) {
      return out;
    }
    if (spec.data != null) {
      out.add("data");
    }
    if (spec.secretString != null) {
      out.add("secretString");
    }
    if (spec.secretBinary != null) {
      out.add("secretBinary");
    }
    return out;
  }
}
