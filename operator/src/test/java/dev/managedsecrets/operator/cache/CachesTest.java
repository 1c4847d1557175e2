package dev.managedsecrets.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.List;
import java.util.Map;
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

  @Test
  void cachedObjectsShareOneEmptyMapOfUnknownFieldsAndKeepTheUnknownFieldsTheyHave() {
    Secret plain =
        new SecretBuilder()
            .withNewMetadata()
            .withName("a")
            .withNamespace("team-a")
            .addNewOwnerReference()
            .withName("a")
            .withUid("u-1")
            .endOwnerReference()
            .endMetadata()
            .build();
    Secret extra = new SecretBuilder(plain).editMetadata().withName("b").endMetadata().build();
    extra.getMetadata().setAdditionalProperty("futureField", "kept");
    ItemStore<Secret> store = Caches.compact();
    store.put(store.getKey(plain), plain);
    store.put(store.getKey(extra), extra);

    Secret a = store.get("team-a/a");
    Secret b = store.get("team-a/b");
    assertThat(a.getMetadata().getAdditionalProperties()).isEmpty();
    assertThat(a.getMetadata().getAdditionalProperties())
        .isSameAs(b.getAdditionalProperties())
        .isSameAs(a.getAdditionalProperties())
        .isSameAs(a.getMetadata().getOwnerReferences().get(0).getAdditionalProperties());
    assertThat(b.getMetadata().getAdditionalProperties()).containsEntry("futureField", "kept");
    // A copy of a cached object is a mutable object of its own, equal to the one it copies.
    Secret copy = new SecretBuilder(a).build();
    copy.getMetadata().setAdditionalProperty("x", "y");
    assertThat(a.getMetadata().getAdditionalProperties()).isEmpty();
    assertThat(new SecretBuilder(a).build()).isEqualTo(a);
  }

  @Test
  void twoCachedManagedSecretsShareTheirComputedNamesFinalizersAndStagingLabels() {
    ItemStore<ManagedSecret> store = Caches.compact();
    for (String name : List.of("a", "b")) {
      ManagedSecret ms = new ManagedSecret();
      ms.setMetadata(
          new ObjectMetaBuilder()
              .withName(name)
              .withNamespace("team-a")
              .withFinalizers(new String("managedsecrets.dev/finalizer"))
              .build());
      ms.setStatus(new ManagedSecretStatus());
      ms.getStatus().name = "team-a/" + name;
      ms.getStatus().versionIdsToStages = Map.of("v-" + name, List.of(new String("AWSCURRENT")));
      store.put(store.getKey(ms), ms);
    }
    ManagedSecret a = store.get("team-a/a");
    ManagedSecret b = store.get("team-a/b");

    assertThat(a.getApiVersion())
        .isEqualTo("managedsecrets.dev/v1alpha1")
        .isSameAs(b.getApiVersion());
    assertThat(a.getCRDName()).isSameAs(b.getCRDName());
    assertThat(a.getMetadata().getFinalizers()).isSameAs(b.getMetadata().getFinalizers());
    assertThat(a.getStatus().versionIdsToStages.get("v-a"))
        .containsExactly("AWSCURRENT")
        .isSameAs(b.getStatus().versionIdsToStages.get("v-b"));
    // The store's key is the status's name: one string.
    assertThat(store.getKey(a)).isSameAs(a.getStatus().name);
  }

  @Test
  void aCachedSecretHasNoMapOfItsOwnForStringDataItNeverHas() {
    ItemStore<Secret> store = Caches.compact();
    for (String name : List.of("a", "b")) {
      Secret s =
          new SecretBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace("team-a")
              .endMetadata()
              .build();
      store.put(store.getKey(s), s);
    }
    assertThat(store.get("team-a/a").getStringData()).isEmpty();
    assertThat(store.get("team-a/a").getStringData())
        .isSameAs(store.get("team-a/b").getStringData());
  }
}
