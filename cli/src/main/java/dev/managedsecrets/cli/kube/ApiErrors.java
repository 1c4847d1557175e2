package dev.managedsecrets.cli.kube;

import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** What the API server answered, in Secrets Manager's terms. */
public final class ApiErrors {

  // "Invalid value: \"...\": " may quote a field's value; a value may be a secret.
  private static final Pattern QUOTED_VALUE =
      Pattern.compile("Invalid value: \"(?:[^\"\\\\]|\\\\.)*\": ");

  private ApiErrors() {}

  public static CliException translate(KubernetesClientException e) {
    int code = e.getCode();
    if (code <= 0) { // no HTTP answer at all
      return new CliException(
          CliException.GENERAL, "Could not connect to the API server: " + Kube.rootMessage(e), e);
    }
    String message = message(e);
    return switch (code) {
      case 401 ->
          new ServiceException(
              "AccessDeniedException", "The API server refused the credentials: " + message);
      case 403 -> new ServiceException("AccessDeniedException", message);
      case 404 ->
          e.getStatus() != null
                  && e.getStatus().getDetails() != null
                  && e.getStatus().getDetails().getName() != null
              ? ServiceException.notFound() // the object went away meanwhile
              : new ServiceException(
                  "ResourceNotFoundException",
                  "The API server has no ManagedSecret resource (managedsecrets.dev/v1alpha1): install"
                      + " the operator's CRDs. "
                      + message);
      case 409 -> new ServiceException("ResourceExistsException", message);
      case 422, 400 -> new ServiceException("InvalidParameterException", message);
      default ->
          new CliException(
              CliException.GENERAL, "error: the API server answered " + code + ": " + message, e);
    };
  }

  static String message(KubernetesClientException e) {
    Status status = e.getStatus();
    if (status == null) {
      return redact(Kube.rootMessage(e));
    }
    List<String> causes = new ArrayList<>();
    if (status.getDetails() != null && status.getDetails().getCauses() != null) {
      for (StatusCause c : status.getDetails().getCauses()) {
        String field = c.getField() == null ? "" : c.getField() + ": ";
        causes.add(field + (c.getMessage() == null ? "" : c.getMessage()));
      }
    }
    String text =
        !causes.isEmpty()
            ? String.join("; ", causes)
            : status.getMessage() != null ? status.getMessage() : e.getMessage();
    return redact(text);
  }

  static String redact(String text) {
    return text == null ? "" : QUOTED_VALUE.matcher(text).replaceAll("Invalid value: ");
  }
}
