package dev.managedsecrets.bench;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.apiserver.RequestCounts;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The product's in-process API server (the one of embedded mode and the integration tests), in its
 * own JVM so that the operator's heap can be measured alone: {@code ApiServerMain KUBECONFIG}
 * writes the kubeconfig that clients need (it holds the server's token), then prints {@code READY
 * <port>}. Commands on stdin: WRITES (prints the write requests by method and resource since the
 * last WRITES), TIMES (prints, by method and resource, the requests since the last TIMES and the
 * server's milliseconds answering them), CPU (prints this JVM's CPU time in ms), QUIT.
 */
public final class ApiServerMain {

  public static void main(String[] args) throws Exception {
    EmbeddedApiServer server = EmbeddedApiServer.start(0);
    server.writeKubeconfig(Path.of(args[0]));
    for (String ns : List.of("bench", "baseline", "noise")) {
      server
          .client()
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    Map<String, Long> last = server.requests().writesByResource();
    Map<String, RequestCounts.Timing> lastTimes = server.requests().timings();
    System.out.println("READY " + server.port());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("WRITES")) {
        Map<String, Long> now = server.requests().writesByResource();
        Map<String, Long> since = new TreeMap<>();
        for (Map.Entry<String, Long> e : now.entrySet()) {
          long d = e.getValue() - last.getOrDefault(e.getKey(), 0L);
          if (d != 0) {
            since.put(e.getKey(), d);
          }
        }
        last = now;
        System.out.println("WRITES " + since);
        System.out.flush();
      } else if (line.equals("TIMES")) {
        Map<String, RequestCounts.Timing> now = server.requests().timings();
        StringBuilder out = new StringBuilder("TIMES");
        for (Map.Entry<String, RequestCounts.Timing> e : now.entrySet()) {
          RequestCounts.Timing before =
              lastTimes.getOrDefault(e.getKey(), new RequestCounts.Timing(0, 0));
          long requests = e.getValue().requests() - before.requests();
          if (requests > 0) {
            out.append(' ')
                .append(e.getKey().replace(' ', '_'))
                .append('=')
                .append(requests)
                .append('/')
                .append((e.getValue().nanos() - before.nanos()) / 1_000_000);
          }
        }
        lastTimes = now;
        System.out.println(out);
        System.out.flush();
      } else if (line.equals("TOTALS")) {
        // Writes since the server started, by method and resource; unlike WRITES, resets nothing.
        System.out.println("TOTALS " + new TreeMap<>(server.requests().writesByResource()));
        System.out.flush();
      } else if (line.equals("CPU")) {
        long ns =
            ((com.sun.management.OperatingSystemMXBean)
                    ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        System.out.println("CPU " + ns / 1_000_000);
        System.out.flush();
      } else if (line.equals("QUIT")) {
        break;
      }
    }
    server.close();
    System.exit(0);
  }
}
