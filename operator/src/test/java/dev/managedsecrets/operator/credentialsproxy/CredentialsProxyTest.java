package dev.managedsecrets.operator.credentialsproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsProxyTest {

  @Test
  void itListensOnLoopbackOnly() throws Exception {
    InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0);

    assertThatThrownBy(
            () -> CredentialsProxy.start(any, URI.create("https://endpoint.example/"), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--listen must be a loopback address");
  }

  @Test
  void itForwardsOverHttpsOrToHttpOnLoopback() {
    assertThat(CredentialsProxy.target(URI.create("https://svc.ns.svc/")))
        .isEqualTo(URI.create("https://svc.ns.svc/v1/credentials"));
    assertThat(CredentialsProxy.target(URI.create("https://svc.ns.svc:8443/v1/credentials")))
        .isEqualTo(URI.create("https://svc.ns.svc:8443/v1/credentials"));
    assertThat(CredentialsProxy.target(URI.create("http://127.0.0.1:8443")))
        .isEqualTo(URI.create("http://127.0.0.1:8443/v1/credentials"));
    assertThatThrownBy(() -> CredentialsProxy.target(URI.create("http://svc.ns.svc/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https");
  }

  @Test
  void aCaFileWithoutACertificateIsRefused(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("ca.pem"), "");

    assertThatThrownBy(() -> CredentialsProxy.trusting(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds no PEM certificate");
  }
}
