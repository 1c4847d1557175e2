package dev.managedsecrets.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

class ServiceNameTrustTest {

  static final String NAME = "rotator.team-a.svc";
  static final TestCertificates CA = TestCertificates.newCa();

  static X509Certificate leaf(String... names) throws Exception {
    return CA.leaf(TestCertificates.keyPair(), names);
  }

  @Test
  void aCertificateNamesTheServiceOnlyByAnExactDnsSubjectAlternativeName() throws Exception {
    assertThat(ServiceNameTrust.names(leaf("other.svc", NAME), NAME)).isTrue();
    assertThat(ServiceNameTrust.names(leaf("ROTATOR.team-a.SVC"), NAME)).isTrue();
    assertThat(ServiceNameTrust.names(leaf("*.team-a.svc"), NAME)).isFalse();
    assertThat(ServiceNameTrust.names(leaf("rotator.team-a.svc.cluster.local"), NAME)).isFalse();
    assertThat(ServiceNameTrust.names(leaf("rotator.team-b.svc"), NAME)).isFalse();
    assertThat(ServiceNameTrust.names(leaf(), NAME)).as("common name only").isFalse();
  }

  @Test
  void theServersChainMustComeFromTheCaBundleAndNameTheService() throws Exception {
    ServiceNameTrust trust = ServiceNameTrust.of(CA.caPem(), NAME);

    trust.checkServerTrusted(new X509Certificate[] {leaf(NAME)}, "ECDHE_ECDSA");
    assertThatThrownBy(
            () ->
                trust.checkServerTrusted(
                    new X509Certificate[] {leaf("x.team-a.svc")}, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("does not name " + NAME);
    X509Certificate foreign = TestCertificates.newCa().leaf(TestCertificates.keyPair(), NAME);
    assertThatThrownBy(
            () -> trust.checkServerTrusted(new X509Certificate[] {foreign}, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void aBundleWithoutCertificatesIsRefused() {
    assertThatThrownBy(() -> ServiceNameTrust.of("not a certificate", NAME))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
