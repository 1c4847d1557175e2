package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.rotateNow;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.CertificateSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.IssuerReference;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generators beyond passwords, applied as a user applies them: the projected Secret holds keys and
 * certificates that parse, kubernetes.io/tls and kubernetes.io/ssh-auth Secrets need no template, a
 * CA of the namespace signs, and values are kept until a rotation or a certificate's renewal.
 */
class GeneratorsIT {

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static GenerateSpec certificate(String commonName, IssuerReference issuer) {
    GenerateSpec g = new GenerateSpec();
    g.type = "tlsCertificate";
    g.certificate = new CertificateSpec();
    g.certificate.commonName = commonName;
    g.certificate.issuer = issuer;
    return g;
  }

  private static TargetSpec type(String type) {
    TargetSpec t = new TargetSpec();
    t.type = type;
    return t;
  }

  private static X509Certificate x509(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private static byte[] der(String pem) throws Exception {
    return new PemReader(new StringReader(pem)).readPemObject().getContent();
  }

  private static ManagedSecret awaitNewVersion(String namespace, String name, String before) {
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret ms = get(cluster.client, namespace, name);
              return ms.getStatus() != null
                  && ms.getStatus().versionId != null
                  && !ms.getStatus().versionId.equals(before);
            });
    return awaitSynced(cluster.client, namespace, name);
  }

  /** Waits until the projected Secret holds AWSCURRENT. */
  private static Map<String, String> projected(String namespace, String name) {
    String version = get(cluster.client, namespace, name).getStatus().versionId;
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              Secret s = secret(cluster.client, namespace, name);
              return s != null
                  && version.equals(
                      s.getMetadata().getAnnotations().get("managedsecrets.dev/version-id"));
            });
    return text(secret(cluster.client, namespace, name));
  }

  @Test
  void aCertificateSignedByACaOfTheNamespaceIsProjectedAsAKubernetesTlsSecretWithoutATemplate()
      throws Exception {
    GenerateSpec ca = certificate("Orders CA", null);
    ca.certificate.isCA = true;
    create(
        cluster.client, managedSecret("default", "orders-ca", s -> s.generate = Map.of("ca", ca)));
    awaitSynced(cluster.client, "default", "orders-ca");
    GenerateSpec leaf = certificate("orders", new IssuerReference("orders-ca", "ca"));
    leaf.certificate.dnsNames = List.of("orders.default.svc");
    leaf.certificate.ipAddresses = List.of("10.0.0.1");
    create(
        cluster.client,
        managedSecret(
            "default",
            "orders-tls",
            s -> {
              s.generate = Map.of("tls", leaf);
              s.target = type("kubernetes.io/tls");
            }));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "orders-tls");

    Secret projected = secret(cluster.client, "default", "orders-tls");
    assertThat(projected.getType()).isEqualTo("kubernetes.io/tls");
    Map<String, String> data = text(projected);
    assertThat(data).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    X509Certificate root = x509(data.get("ca.crt"));
    X509Certificate certificate = x509(data.get("tls.crt"));
    certificate.verify(root.getPublicKey());
    PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    pkix.setRevocationEnabled(false);
    pkix.setDate(Date.from(cluster.clock.instant().plusSeconds(60)));
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate)), pkix);
    assertThat(certificate.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(2, "orders.default.svc"), List.of(7, "10.0.0.1"));
    KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der(data.get("tls.key"))));
    assertThat(ms.getStatus().certificateNotAfter)
        .isEqualTo(certificate.getNotAfter().toInstant().toString());
    assertThat(ms.getStatus().certificateRenewalDate).isNotNull();
    // The CA's own ManagedSecret shows its notAfter too.
    assertThat(get(cluster.client, "default", "orders-ca").getStatus().certificateNotAfter)
        .isEqualTo(root.getNotAfter().toInstant().toString());
  }

  @Test
  void anSshKeyPairIsProjectedAsAKubernetesSshAuthSecretWithoutATemplateAndRotationMakesANewOne()
      throws Exception {
    GenerateSpec ssh = new GenerateSpec();
    ssh.type = "sshKeyPair";
    create(
        cluster.client,
        managedSecret(
            "default",
            "deploy-key",
            s -> {
              s.generate = Map.of("ssh", ssh);
              s.target = type("kubernetes.io/ssh-auth");
            }));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "deploy-key");

    Secret projected = secret(cluster.client, "default", "deploy-key");
    assertThat(projected.getType()).isEqualTo("kubernetes.io/ssh-auth");
    Map<String, String> first = text(projected);
    assertThat(first).containsOnlyKeys("ssh-privatekey", "ssh-publickey");
    assertThat(first.get("ssh-publickey")).startsWith("ssh-ed25519 ");
    assertThat(OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(der(first.get("ssh-privatekey"))))
        .isInstanceOf(Ed25519PrivateKeyParameters.class);

    rotateNow(cluster.client, "default", "deploy-key", "1");
    awaitNewVersion("default", "deploy-key", ms.getStatus().versionId);

    Map<String, String> rotated = projected("default", "deploy-key");
    assertThat(rotated.get("ssh-privatekey")).isNotEqualTo(first.get("ssh-privatekey"));
    assertThat(rotated.get("ssh-publickey")).isNotEqualTo(first.get("ssh-publickey"));
  }

  @Test
  void generatedValuesAreKeptThroughUnrelatedEditsAndACertificateIsRenewedOnceItsTimeHasCome()
      throws Exception {
    GenerateSpec tls = certificate("renewing", null);
    tls.certificate.validityHours = 30;
    tls.certificate.renewBeforeHours = 10;
    GenerateSpec id = new GenerateSpec();
    id.type = "uuid";
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "renewing",
            s -> {
              s.data = Map.of("user", "a");
              s.generate = Map.of("tls", tls, "id", id);
              s.target = type("kubernetes.io/tls");
            }));
    ManagedSecret first = awaitSynced(cluster.client, "team-a", "renewing");
    Map<String, String> before = projected("team-a", "renewing");

    // Another key's data changes: a new version, the generated values as they were.
    edit(cluster.client, "team-a", "renewing", s -> s.data = Map.of("user", "b"));
    ManagedSecret edited = awaitNewVersion("team-a", "renewing", first.getStatus().versionId);
    Map<String, String> afterEdit = projected("team-a", "renewing");
    assertThat(afterEdit.get("user")).isEqualTo("b");
    for (String key : List.of("tls.crt", "tls.key", "id")) {
      assertThat(afterEdit.get(key)).as(key).isEqualTo(before.get(key));
    }
    // A description changes: no new version at all.
    edit(cluster.client, "team-a", "renewing", s -> s.description = "one");
    assertThat(awaitSynced(cluster.client, "team-a", "renewing").getStatus().versionId)
        .isEqualTo(edited.getStatus().versionId);
    assertThat(projected("team-a", "renewing")).isEqualTo(afterEdit);

    // Past the renewal time (30h - 10h), the next reconcile makes a new certificate.
    String notAfter = edited.getStatus().certificateNotAfter;
    cluster.clock.advance(Duration.ofHours(21));
    edit(cluster.client, "team-a", "renewing", s -> s.description = "two");
    ManagedSecret renewed = awaitNewVersion("team-a", "renewing", edited.getStatus().versionId);

    Map<String, String> afterRenewal = projected("team-a", "renewing");
    assertThat(afterRenewal.get("tls.crt")).isNotEqualTo(before.get("tls.crt"));
    assertThat(afterRenewal.get("tls.key")).isNotEqualTo(before.get("tls.key"));
    assertThat(afterRenewal.get("id")).isEqualTo(before.get("id"));
    assertThat(afterRenewal.get("user")).isEqualTo("b");
    assertThat(renewed.getStatus().certificateNotAfter)
        .isEqualTo(x509(afterRenewal.get("tls.crt")).getNotAfter().toInstant().toString())
        .isNotEqualTo(notAfter);
  }

  @Test
  void aCertificateAppliedBeforeItsCaIsIssuedOnceTheCaHasItsValue() throws Exception {
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "early-leaf",
            s ->
                s.generate =
                    Map.of("tls", certificate("early", new IssuerReference("late-ca", "root")))));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              var ready = Fixtures.ready(get(cluster.client, "team-b", "early-leaf"));
              return ready != null && "ResourceNotFoundException".equals(ready.getReason());
            });
    assertThat(Fixtures.ready(get(cluster.client, "team-b", "early-leaf")).getMessage())
        .contains("late-ca")
        .doesNotContain("root");

    GenerateSpec ca = certificate("Late CA", null);
    ca.certificate.isCA = true;
    create(
        cluster.client, managedSecret("team-b", "late-ca", s -> s.generate = Map.of("root", ca)));

    awaitSynced(cluster.client, "team-b", "early-leaf");
    Map<String, String> data = projected("team-b", "early-leaf");
    x509(data.get("tls.crt"))
        .verify(
            x509(text(secret(cluster.client, "team-b", "late-ca")).get("root.crt")).getPublicKey());
    assertThat(data.get("ca.crt"))
        .isEqualTo(text(secret(cluster.client, "team-b", "late-ca")).get("root.crt"));
  }

  @Test
  void anRsaSizeOutsideTheSetIsRefusedByTheApiServerAtApply() {
    GenerateSpec rsa = new GenerateSpec();
    rsa.type = "rsaKey";
    rsa.bits = 1024;

    assertThatThrownBy(
            () ->
                create(
                    cluster.client,
                    managedSecret("default", "weak", s -> s.generate = Map.of("k", rsa))))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("bits");
  }
}
