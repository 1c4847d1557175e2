package dev.managedsecrets.operator.store;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;

/** The store contract against the Kubernetes store on fabric8's mock API server in CRUD mode. */
class KubernetesSecretStoreContractIT extends SecretStoreContract {

  private static final String NAMESPACE = "managedsecret-system";

  private KubernetesMockServer server;
  private KubernetesClient client;

  @Override
  protected SecretStore openStore() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    client = server.createClient();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    return new KubernetesSecretStore(client, NAMESPACE);
  }

  @Override
  protected void closeStore() {
    client.close();
    server.destroy();
  }
}
