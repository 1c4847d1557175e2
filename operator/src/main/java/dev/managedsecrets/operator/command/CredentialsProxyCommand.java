package dev.managedsecrets.operator.command;

import dev.managedsecrets.operator.credentialsproxy.CredentialsProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code credentials-proxy}: the loopback helper that lets botocore (the AWS CLI, boto3) in a pod
 * get the endpoint's short-lived credentials, run as a native sidecar beside the application
 * (docs/ENDPOINT.md).
 */
@Command(
    name = "credentials-proxy",
    mixinStandardHelpOptions = true,
    description = {
      "Serves GET /v1/credentials on a loopback address of the pod for botocore's container"
          + " credential provider (AWS_CONTAINER_CREDENTIALS_FULL_URI), forwarding each request's"
          + " Authorization header (the pod's projected ServiceAccount token) to the Secrets"
          + " Manager endpoint's /v1/credentials over TLS and relaying the answer.",
      "It holds no credentials, keeps nothing and logs no token."
    })
public final class CredentialsProxyCommand implements Callable<Integer> {

  @Option(
      names = "--listen",
      defaultValue = "127.0.0.1:8182",
      description = "Loopback address and port to serve on (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--endpoint",
      required = true,
      description =
          "The Secrets Manager endpoint's URL, e.g."
              + " https://managedsecret-operator-endpoint.managedsecret-system.svc/")
  URI endpoint;

  @Option(
      names = "--ca-file",
      description =
          "PEM file of the CA the endpoint's certificate is checked with (the ConfigMap"
              + " managedsecret-endpoint-ca, key ca.crt); default: the JVM's trusted CAs.")
  Path caFile;

  /** Starts the proxy as the options say; for the command and for a test. */
  public CredentialsProxy start() {
    return CredentialsProxy.start(address(listen), endpoint, CredentialsProxy.trusting(caFile));
  }

  /** host:port or [v6]:port, resolved without DNS for a literal address. */
  static InetSocketAddress address(String listen) {
    int colon = listen.lastIndexOf(':');
    if (colon <= 0 || colon == listen.length() - 1) {
      throw new IllegalArgumentException("--listen is host:port, e.g. 127.0.0.1:8182: " + listen);
    }
    String host = listen.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--listen has no port number: " + listen, e);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--listen's port must be 0-65535: " + listen);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--listen names an unknown host: " + listen, e);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    CredentialsProxy proxy;
    try {
      proxy = start();
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  proxy.close();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }
}
