package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ServiceAccounts with the real kubectl (1.32 from ./test.sh, or $KUBECTL): {@code kubectl create
 * token}, a kubectl that presents the token with {@code --token} and is that ServiceAccount, {@code
 * kubectl auth can-i} (as itself and impersonating with {@code --as}), {@code kubectl auth whoami}
 * and {@code kubectl create -f} of a TokenReview, all answered from the Roles and bindings stored
 * in the server.
 */
@Timeout(300)
class ServiceAccountKubectlIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NS = "team-a";
  private static final String SA = "system:serviceaccount:team-a:app";

  @TempDir static Path dir;
  private static EmbeddedApiServer api;
  private static Path kubeconfig;

  private record Run(int exit, String out, String err) {}

  @BeforeAll
  static void start() throws IOException {
    api = EmbeddedApiServer.start(0);
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
    api.client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    api.client()
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("app").endMetadata().build())
        .create();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static Run kubectl(String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(System.getenv().getOrDefault("KUBECTL", "kubectl"));
    command.add("--cache-dir=" + dir.resolve("cache"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("kubectl %s ends", args[0]).isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static String token() throws Exception {
    Run created = kubectl(null, "create", "token", "app", "-n", NS, "--duration=15m");
    assertThat(created.exit()).as("kubectl create token: %s", created).isZero();
    return created.out().trim();
  }

  private static void grantReadingValues() throws Exception {
    Run applied =
        kubectl(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: value-reader, namespace: team-a}
            rules:
            - apiGroups: [managedsecrets.dev]
              resources: [managedsecrets/value]
              verbs: [get]
            - apiGroups: [""]
              resources: [secrets]
              verbs: [list]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: app-reads-values, namespace: team-a}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: value-reader}
            subjects:
            - {kind: ServiceAccount, name: app, namespace: team-a}
            """,
            "apply",
            "-f",
            "-");
    assertThat(applied.exit()).as("kubectl apply: %s", applied).isZero();
  }

  @Test
  void kubectlCreateTokenIssuesATokenWithWhichKubectlIsTheServiceAccountAndIsRefusedWhatRbacDenies()
      throws Exception {
    String token = token();
    assertThat(token.split("\\.")).hasSize(3);

    Run whoami = kubectl(null, "auth", "whoami", "--token=" + token, "-o", "json");
    assertThat(whoami.exit()).as("%s", whoami).isZero();
    assertThat(JSON.readTree(whoami.out()).at("/status/userInfo/username").asText()).isEqualTo(SA);

    Run refused = kubectl(null, "get", "configmaps", "-n", NS, "--token=" + token);
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err())
        .contains(
            "configmaps is forbidden: User \""
                + SA
                + "\" cannot list resource \"configmaps\" in API group \"\" in the namespace"
                + " \"team-a\"");
  }

  @Test
  void kubectlAuthCanIAnswersFromTheStoredRolesForAServiceAccountAsItselfAndImpersonated()
      throws Exception {
    Run before = kubectl(null, canReadValue(NS, "--as=" + SA));
    assertThat(before.out().trim()).as("%s", before).isEqualTo("no");
    assertThat(before.exit()).isEqualTo(1);

    grantReadingValues();

    Run impersonated = kubectl(null, canReadValue(NS, "--as=" + SA));
    assertThat(impersonated.out().trim()).as("%s", impersonated).isEqualTo("yes");
    assertThat(impersonated.exit()).isZero();
    Run itself = kubectl(null, canReadValue(NS, "--token=" + token()));
    assertThat(itself.out().trim()).as("%s", itself).isEqualTo("yes");
    Run elsewhere = kubectl(null, canReadValue("default", "--as=" + SA));
    assertThat(elsewhere.out().trim()).as("%s", elsewhere).isEqualTo("no");
    Run list = kubectl(null, "get", "secrets", "-n", NS, "--token=" + token());
    assertThat(list.exit()).as("%s", list).isZero();
  }

  @Test
  void kubectlCreateOfATokenReviewAnswersWithTheServiceAccountOrWithWhyNot() throws Exception {
    String token = token();
    JsonNode status = tokenReview(token, "");
    assertThat(status.path("authenticated").asBoolean()).isTrue();
    assertThat(status.at("/user/username").asText()).isEqualTo(SA);
    assertThat(status.at("/user/groups").toString())
        .isEqualTo(
            "[\"system:serviceaccounts\",\"system:serviceaccounts:team-a\",\"system:authenticated\"]");

    JsonNode refused = tokenReview(token, "audiences: [managedsecrets.dev/endpoint]");
    assertThat(refused.path("authenticated").asBoolean()).isFalse();
    assertThat(refused.path("error").asText())
        .isEqualTo(
            "token audiences [\"https://kubernetes.default.svc.cluster.local\"] is invalid for the"
                + " target audiences [\"managedsecrets.dev/endpoint\"]");
  }

  /** The status of {@code kubectl create -f} of a TokenReview, its spec's other lines given. */
  private static JsonNode tokenReview(String token, String more) throws Exception {
    Run reviewed =
        kubectl(
            """
            apiVersion: authentication.k8s.io/v1
            kind: TokenReview
            spec:
              token: %s
              %s
            """
                .formatted(token, more),
            "create",
            "-f",
            "-",
            "-o",
            "json");
    assertThat(reviewed.exit()).as("%s", reviewed).isZero();
    return JSON.readTree(reviewed.out()).path("status");
  }

  /** kubectl auth can-i: may the user read the value of ManagedSecret db in {@code ns}? */
  private static String[] canReadValue(String ns, String as) {
    return new String[] {
      "auth",
      "can-i",
      "get",
      "managedsecrets.managedsecrets.dev/db",
      "--subresource=value",
      "-n",
      ns,
      as
    };
  }
}
