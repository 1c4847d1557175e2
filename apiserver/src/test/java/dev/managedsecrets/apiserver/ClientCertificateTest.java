package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kubeconfig with a client certificate and no token, as a person's often is: the server
 * authenticates the certificate's CN as the user and its O values as groups (and
 * system:authenticated), as the API server's x509 authenticator does, and RBAC decides the rest.
 */
class ClientCertificateTest {

  private static EmbeddedApiServer api;

  @BeforeAll
  static void start() {
    api = EmbeddedApiServer.start(0);
    api.client()
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName("read-configmaps")
                .endMetadata()
                .addNewRule()
                .withApiGroups("")
                .withResources("configmaps")
                .withVerbs("get", "list")
                .endRule()
                .build())
        .create();
    api.client()
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName("devs-read-configmaps")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "read-configmaps")
                .addNewSubject()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Group")
                .withName("devs")
                .endSubject()
                .build())
        .create();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void aClientCertificateIsItsCommonNameInTheGroupsOfItsOrganizations(@TempDir Path dir)
      throws Exception {
    Path kubeconfig =
        api.writeClientCertificateKubeconfig(
            dir.resolve("alice.kubeconfig"), "alice", List.of("devs"), "default");
    assertThat(Files.readString(kubeconfig))
        .contains("client-certificate-data")
        .doesNotContain("token");

    try (KubernetesClient alice =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build()) {
      assertThat(alice.configMaps().inNamespace("default").list().getItems()).isNotNull();
      KubernetesClientException refused =
          catchThrowableOfType(
              KubernetesClientException.class, () -> alice.secrets().inNamespace("default").list());
      assertThat(refused.getCode()).isEqualTo(403);
      assertThat(refused.getMessage()).contains("User \"alice\" cannot list resource \"secrets\"");
    }
  }
}
