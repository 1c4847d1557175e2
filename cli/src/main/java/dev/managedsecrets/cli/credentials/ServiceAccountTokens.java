package dev.managedsecrets.cli.credentials;

import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.kube.Kube;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A short-lived token of a ServiceAccount for the endpoint's audience, asked of the API server (a
 * TokenRequest: create on serviceaccounts/token of that ServiceAccount). Whoever may make its
 * tokens may act as it already, here as in the rest of Kubernetes; the kubeconfig's own credentials
 * (often a client certificate) never reach the endpoint.
 */
public final class ServiceAccountTokens {

  /** TokenRequest's shortest lifetime: the token is used once, at once. */
  public static final long MIN_SECONDS = 600;

  public static final long MAX_SECONDS = 3600;

  private ServiceAccountTokens() {}

  /** A token of {@code serviceAccount} in the kubeconfig's namespace, valid {@code seconds}. */
  public static String token(Kube kube, String serviceAccount, String audience, long seconds) {
    String namespace = kube.namespace();
    TokenRequest request =
        new TokenRequestBuilder()
            .withNewSpec()
            .withAudiences(audience)
            .withExpirationSeconds(seconds)
            .endSpec()
            .build();
    try {
      TokenRequest answered =
          kube.client()
              .serviceAccounts()
              .inNamespace(namespace)
              .withName(serviceAccount)
              .tokenRequest(request);
      String token =
          answered == null || answered.getStatus() == null ? null : answered.getStatus().getToken();
      if (token == null || token.isEmpty()) {
        throw new CliException(
            CliException.GENERAL, "error: the API server answered the TokenRequest with no token");
      }
      return token;
    } catch (KubernetesClientException e) {
      String where = "ServiceAccount " + namespace + "/" + serviceAccount;
      throw switch (e.getCode()) {
        case 403 ->
            new ServiceException(
                "AccessDeniedException",
                "A token of "
                    + where
                    + " needs create on serviceaccounts/token (resourceNames: ["
                    + serviceAccount
                    + "]) in namespace "
                    + namespace
                    + ": "
                    + e.getStatus().getMessage());
        case 404 -> new ServiceException("ResourceNotFoundException", where + " was not found.");
        default -> e;
      };
    }
  }
}
