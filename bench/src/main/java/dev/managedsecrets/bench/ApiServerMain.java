package dev.managedsecrets.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The in-process API server of the harness, in its own JVM so that the operator's heap can be
 * measured alone. Commands on stdin: WRITES (prints and resets the count of write requests by
 * method and resource), QUIT.
 */
public final class ApiServerMain {

  public static void main(String[] args) throws Exception {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient client = server.createClient()) {
      for (String crd :
          List.of(
              "META-INF/fabric8/managedsecrets.managedsecrets.dev-v1.yml",
              "META-INF/fabric8/kmskeys.managedsecrets.dev-v1.yml")) {
        try (var in = ApiServerMain.class.getClassLoader().getResourceAsStream(crd)) {
          if (in != null) {
            client.apiextensions().v1().customResourceDefinitions().load(in).create();
          }
        }
      }
      for (String ns :
          List.of("kube-system", "managedsecret-system", "bench", "baseline", "noise")) {
        client
            .namespaces()
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
    }
    server.takeRequest(1, TimeUnit.MILLISECONDS);
    drain(server);
    System.out.println("READY " + server.getPort());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("WRITES")) {
        System.out.println("WRITES " + drain(server));
        System.out.flush();
      } else if (line.equals("QUIT")) {
        break;
      }
    }
    server.destroy();
    System.exit(0);
  }

  private static Map<String, Integer> drain(KubernetesMockServer server)
      throws InterruptedException {
    Map<String, Integer> counts = new TreeMap<>();
    RecordedRequest r;
    while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      if (List.of("POST", "PUT", "PATCH", "DELETE").contains(r.getMethod())) {
        String path = r.getPath().replaceAll("\\?.*", "");
        String[] parts = path.split("/");
        String resource = parts.length > 1 ? resourceOf(parts) : path;
        counts.merge(r.getMethod() + " " + resource, 1, Integer::sum);
      }
    }
    return counts;
  }

  private static String resourceOf(String[] parts) {
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i].equals("namespaces") && i + 2 < parts.length) {
        return parts[i + 2] + (parts.length > i + 4 ? "/" + parts[i + 4] : "");
      }
    }
    return parts[parts.length - 1];
  }
}
