package dev.managedsecrets.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.operator.embedded.Kubectl.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code embedded --regions us-east-1,eu-west-1} started as a user starts it: one API server and
 * operator per region in one process, one kubeconfig context per region, driven with the real
 * kubectl; and a --regions value it cannot take, refused before anything starts.
 */
class EmbeddedRegionsIT {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String EAST = "us-east-1";
  private static final String WEST = "eu-west-1";

  @TempDir Path dir;

  private static Result ok(Result r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void aManagedSecretOfTheFirstRegionWithAReplicaRegionAppearsInThatRegionsContextInSync()
      throws Exception {
    Path kubeconfig = dir.resolve("embedded.kubeconfig");
    try (EmbeddedProcess embedded =
        EmbeddedProcess.start(
                "--regions",
                EAST + "," + WEST,
                "--port",
                "0",
                "--kubeconfig-out",
                kubeconfig.toString())
            .awaitReady()) {
      String printed = String.join("\n", embedded.out);
      assertThat(embedded.out).contains("export KUBECONFIG=" + kubeconfig);
      assertThat(printed)
          .contains(
              "Region " + EAST + ": embedded API server on https://127.0.0.1:",
              "Region " + WEST + ": embedded API server on https://127.0.0.1:",
              "kubectl --context " + WEST,
              "managedsecrets.dev/accept-replicas=true",
              "get managedsecrets,secrets -n default");
      Kubectl kubectl = new Kubectl(kubeconfig, dir.resolve("kubectl-cache"));
      kubectl.requireSupportedVersion();

      assertThat(ok(kubectl.run("config", "get-contexts", "-o", "name")).out().lines())
          .containsExactlyInAnyOrder(EAST, WEST);
      assertThat(ok(kubectl.run("config", "current-context")).out().trim()).isEqualTo(EAST);
      for (String region : new String[] {EAST, WEST}) {
        assertThat(
                ok(kubectl.run(
                        "--context",
                        region,
                        "get",
                        "namespace",
                        "default",
                        "-o",
                        "jsonpath={.metadata.labels.managedsecrets\\.dev/accept-replicas}"))
                    .out())
            .as("the namespace default of %s accepts replicas", region)
            .isEqualTo("true");
      }

      ok(
          kubectl.runWithInput(
              """
              apiVersion: managedsecrets.dev/v1alpha1
              kind: ManagedSecret
              metadata:
                name: orders-db
                namespace: default
              spec:
                data:
                  password: s3cr3t-east
                replicaRegions:
                - region: eu-west-1
              """,
              "apply",
              "-f=-"));

      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                Result r =
                    kubectl.run(
                        "--context",
                        WEST,
                        "get",
                        "secret",
                        "orders-db",
                        "-n",
                        "default",
                        "-o",
                        "jsonpath={.data.password}");
                assertThat(r.exitCode()).as(r.toString()).isZero();
                assertThat(
                        new String(
                            Base64.getDecoder().decode(r.out().trim()), StandardCharsets.UTF_8))
                    .isEqualTo("s3cr3t-east");
              });
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          ok(kubectl.run(
                                  "get",
                                  "managedsecret",
                                  "orders-db",
                                  "-n",
                                  "default",
                                  "-o",
                                  "jsonpath={.status.replicationStatus[?(@.region==\""
                                      + WEST
                                      + "\")].status}"))
                              .out())
                      .isEqualTo("InSync"));
      assertThat(ok(kubectl.run("--context", WEST, "get", "managedsecrets", "-n", "default")).out())
          .contains("orders-db");
      assertThat(ok(kubectl.run("--context", EAST, "get", "secret", "orders-db")).out())
          .contains("orders-db");
      assertThat(Files.readString(kubeconfig)).doesNotContain("s3cr3t-east");

      embedded.process.toHandle().destroy(); // SIGTERM: every region stops
      int exit = embedded.awaitExit();
      assertThat(embedded.out)
          .as("exit %d, stderr %s", exit, embedded.err)
          .anySatisfy(l -> assertThat(l).startsWith("Stopping: the operators"));
      assertThat(embedded.err).isEmpty();
    }
  }

  @Test
  void aRegionsValueItCannotTakeIsRefusedNamingWhatIsWrongAndNothingStarts() {
    Path kubeconfig = dir.resolve("kc");
    for (String[] bad :
        new String[][] {
          {"us-east-1,US_WEST", "'US_WEST' is not"},
          {"us-east-1,us-east-1", "region us-east-1 is named more than once"},
          {"a,b,c,d,e,f", "at most 5 regions"},
          {"", "'' is not"},
        }) {
      EmbeddedProcess p =
          EmbeddedProcess.start(
              "--regions", bad[0], "--port", "0", "--kubeconfig-out", kubeconfig.toString());
      assertThat(p.awaitExit()).as(bad[0]).isEqualTo(2);
      assertThat(p.err)
          .as(bad[0])
          .first()
          .asString()
          .startsWith("Invalid value for option '--regions': ")
          .contains(bad[1]);
      assertThat(p.out).as(bad[0]).noneSatisfy(l -> assertThat(l).startsWith("Region"));
      assertThat(kubeconfig).doesNotExist();
    }
  }
}
