package dev.managedsecrets.cli.aws;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.core.secret.SecretFilters;
import dev.managedsecrets.core.secret.SecretTag;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.List;

/**
 * ListSecrets' {@code --filters}: checked and matched by {@link SecretFilters}, the implementation
 * the Secrets Manager endpoint uses too, on the attributes of a ManagedSecret as the endpoint sees
 * them (its name, description, tags, and the PrimaryRegion that DescribeSecret shows).
 */
public final class ListFilters {

  private final SecretFilters filters;

  private ListFilters(SecretFilters filters) {
    this.filters = filters;
  }

  public static ListFilters of(List<Shorthand.Filter> filters) {
    try {
      return new ListFilters(
          SecretFilters.of(
              filters.stream().map(f -> new SecretFilters.Filter(f.key(), f.values())).toList()));
    } catch (SecretsManagerException e) {
      throw ServiceException.of(e);
    }
  }

  public boolean matches(ManagedSecret ms) {
    ManagedSecretSpec spec = ms.getSpec() == null ? new ManagedSecretSpec() : ms.getSpec();
    List<SecretTag> tags =
        spec.tags == null
            ? List.of()
            : spec.tags.stream()
                .filter(t -> t != null && SecretTag.valid(t.key, t.value))
                .map(t -> new SecretTag(t.key, t.value))
                .toList();
    return filters.matches(
        new SecretFilters.Attributes(
            Responses.name(ms), spec.description, tags, Responses.primaryRegionShown(ms)));
  }
}
