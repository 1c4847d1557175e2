package dev.managedsecrets.core.sealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The public key's PEM, its key id, and the JSON the operator publishes its keys in. */
class SealingPublicKeyTest {

  @Test
  void writesPemThatTheJdkReadsAsTheSameX25519Key() throws Exception {
    SealingPublicKey key = SealingPrivateKey.generate().publicKey();
    String pem = key.toPem();
    assertThat(pem)
        .startsWith("-----BEGIN PUBLIC KEY-----\n")
        .endsWith("-----END PUBLIC KEY-----\n");
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PublicKey jdk =
        KeyFactory.getInstance("X25519")
            .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    assertThat(jdk.getEncoded()).isEqualTo(Base64.getDecoder().decode(body));
    assertThat(SealingPublicKey.fromPem(pem)).isEqualTo(key);
  }

  @Test
  void readsPemThatTheJdkWrote() throws Exception {
    var pair = java.security.KeyPairGenerator.getInstance("X25519").generateKeyPair();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    assertThat(SealingPublicKey.fromPem(pem).toPem().replaceAll("\\s", ""))
        .isEqualTo(pem.replaceAll("\\s", ""));
  }

  @Test
  void refusesPemOfAnotherKindOfKey() throws Exception {
    var rsa = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(rsa.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    assertThatThrownBy(() -> SealingPublicKey.fromPem(pem))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SealingPublicKey.fromPem("not pem"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theKeyIdIsSixteenHexDigitsOfTheKeysDigestAndTheSameForItsPrivateKey() {
    SealingPrivateKey key = SealingPrivateKey.generate();
    assertThat(key.keyId()).matches("[0-9a-f]{16}");
    assertThat(SealingPrivateKey.fromRaw(key.raw()).keyId()).isEqualTo(key.keyId());
    assertThat(SealingPublicKey.fromRaw(key.publicKey().raw()).keyId()).isEqualTo(key.keyId());
  }

  @Test
  void thePublishedKeysReadBackWithTheirDatesAndTheCurrentKey() {
    SealingPublicKey old = SealingPrivateKey.generate().publicKey();
    SealingPublicKey now = SealingPrivateKey.generate().publicKey();
    PublishedSealingKeys published =
        new PublishedSealingKeys(
            now.keyId(),
            List.of(
                new PublishedSealingKeys.Entry(
                    now.keyId(), Instant.parse("2026-02-01T00:00:00Z"), null, now),
                new PublishedSealingKeys.Entry(
                    old.keyId(),
                    Instant.parse("2026-01-01T00:00:00Z"),
                    Instant.parse("2026-01-20T00:00:00Z"),
                    old)));
    PublishedSealingKeys read = PublishedSealingKeys.parse(published.toJson());
    assertThat(read).isEqualTo(published);
    assertThat(read.current()).isEqualTo(now);
    assertThat(read.key(old.keyId()).orElseThrow().retiredDate()).isNotNull();
    assertThat(published.toJson()).doesNotContain("PRIVATE");
  }

  @Test
  void refusesPublishedKeysWhoseKeyIdIsNotTheirKeys() {
    SealingPublicKey key = SealingPrivateKey.generate().publicKey();
    String json =
        new PublishedSealingKeys(
                "0000000000000000",
                List.of(
                    new PublishedSealingKeys.Entry("0000000000000000", Instant.EPOCH, null, key)))
            .toJson();
    assertThatThrownBy(() -> PublishedSealingKeys.parse(json))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
