package dev.managedsecrets.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import org.junit.jupiter.api.Test;

class CachesTest {

  @Test
  void cachedObjectsKeepEverythingButTheirManagedFields() {
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName("db")
            .withNamespace("team-a")
            .withResourceVersion("42")
            .addToLabels("app.kubernetes.io/managed-by", "managedsecret-operator")
            .addToManagedFields(
                new ManagedFieldsEntryBuilder()
                    .withManager("kubectl-client-side-apply")
                    .withOperation("Update")
                    .build())
            .endMetadata()
            .addToData("password", "c2VjcmV0")
            .build();
    ItemStore<Secret> store = Caches.compact();
    store.put(store.getKey(secret), secret);

    Secret cached = store.get("team-a/db");
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(cached.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "managedsecret-operator");
    assertThat(cached.getData()).containsEntry("password", "c2VjcmV0");
    // Repeated strings are shared between cached objects.
    Secret other =
        new SecretBuilder(secret)
            .editMetadata()
            .withName(new String("other"))
            .withNamespace(new String("team-a"))
            .endMetadata()
            .build();
    store.put(store.getKey(other), other);
    assertThat(store.get("team-a/other").getMetadata().getNamespace())
        .isSameAs(cached.getMetadata().getNamespace());
    assertThat(store.get("team-a/other").getMetadata().getLabels().keySet().iterator().next())
        .isSameAs(cached.getMetadata().getLabels().keySet().iterator().next());
  }
}
