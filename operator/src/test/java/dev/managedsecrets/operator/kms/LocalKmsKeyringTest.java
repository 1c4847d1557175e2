package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.Arns;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalKmsKeyringTest {

  static final Arns ARNS = new Arns("k8s", "local", "123456789012");
  static final String FIXTURE = "/dev/managedsecrets/operator/kms/keyring-v1/";
  // The context the fixture envelope was sealed with, by the code before the provider SPI.
  static final EncryptionContext FIXTURE_CONTEXT =
      EncryptionContext.forVersion(
          "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf",
          "11111111-2222-3333-4444-555555555555");
  static final String FIXTURE_KEY_ARN =
      "arn:k8s:kms:local:123456789012:key/adaf8105-352f-4cd7-9741-20e920fd99de";

  static Secret fixtureKeyring() throws IOException {
    try (InputStream in =
        LocalKmsKeyringTest.class.getResourceAsStream(FIXTURE + "managedsecret-keyring.yaml")) {
      return Serialization.unmarshal(in, Secret.class);
    }
  }

  static byte[] fixtureEnvelope() throws IOException {
    try (InputStream in = LocalKmsKeyringTest.class.getResourceAsStream(FIXTURE + "envelope.b64")) {
      return Base64.getDecoder()
          .decode(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
    }
  }

  @Test
  void opensAVersionSealedUnderAKeyringWrittenBeforeTheProviderSpi() throws IOException {
    Keyring keyring = KeyringSecret.fromSecret(fixtureKeyring(), ARNS);
    LocalKms kms = new LocalKms(keyring);

    assertThat(kms.resolve(null, "team-a")).isEqualTo(FIXTURE_KEY_ARN);
    assertThat(keyring.defaultKey().provider()).isEqualTo("local");
    assertThat(keyring.defaultKey().materialVersions()).containsExactly(1);
    assertThat(new EnvelopeCipher(kms).open(fixtureEnvelope(), FIXTURE_CONTEXT))
        .isEqualTo("Sfixture value".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void rotatingALocalKeyKeepsItsStoredEntryInFormatOne() throws IOException {
    Secret secret = fixtureKeyring();
    JsonNode before = keysJson(secret).get(0);
    Keyring keyring = KeyringSecret.fromSecret(secret, ARNS);
    LocalKeyProvider local = new LocalKeyProvider(keyring);

    KeyMetadata rotated = keyring.rotate(ProviderKms.DEFAULT_ALIAS, local);

    assertThat(rotated.materialVersions()).containsExactly(1, 2);
    JsonNode after = keysJson(secret).get(0);
    List<String> fields = new ArrayList<>();
    after.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("keyId", "aliases", "materials");
    assertThat(after.get("materials").get("1")).isEqualTo(before.get("materials").get("1"));
    assertThat(after.get("materials").has("2")).isTrue();
    // And the old version still opens, now that new data keys use material 2.
    LocalKms kms = new LocalKms(keyring);
    assertThat(kms.generateDataKey(FIXTURE_KEY_ARN, FIXTURE_CONTEXT).materialVersion())
        .isEqualTo(2);
    assertThat(new EnvelopeCipher(kms).open(fixtureEnvelope(), FIXTURE_CONTEXT))
        .isEqualTo("Sfixture value".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aDefaultKeyInAnotherProviderIsRecordedWithoutMaterial() throws IOException {
    Secret secret = fixtureKeyring();
    Keyring keyring = KeyringSecret.fromSecret(secret, ARNS);
    InMemoryKeyProvider hsm = new InMemoryKeyProvider("pkcs11");

    KeyMetadata key = keyring.ensureDefaultKey(hsm);

    assertThat(key.provider()).isEqualTo("pkcs11");
    assertThat(key.aliases()).containsExactly(ProviderKms.DEFAULT_ALIAS);
    assertThat(hsm.materialVersions(key.keyId())).containsExactly(1);
    JsonNode stored = keysJson(secret).get(1);
    assertThat(stored.get("keyId").asText()).isEqualTo(key.keyId());
    assertThat(stored.get("provider").asText()).isEqualTo("pkcs11");
    assertThat(stored.get("materialVersions").toString()).isEqualTo("[1]");
    assertThat(stored.has("materials")).isFalse();
    assertThat(keyring.ensureDefaultKey(hsm)).isEqualTo(key);
  }

  @Test
  void changingTheDefaultProviderMovesTheAliasAndOldVersionsStillOpen() throws IOException {
    Secret secret = fixtureKeyring();
    Keyring keyring = KeyringSecret.fromSecret(secret, ARNS);
    InMemoryKeyProvider hsm = new InMemoryKeyProvider("pkcs11");
    KeyMetadata oldDefault = keyring.defaultKey();

    KeyMetadata newDefault = keyring.ensureDefaultKey(hsm);

    assertThat(newDefault.keyId()).isNotEqualTo(oldDefault.keyId());
    assertThat(keyring.find(oldDefault.arn()))
        .get()
        .satisfies(k -> assertThat(k.aliases()).isEmpty());
    Kms kms =
        new ProviderKms(keyring, Map.of("local", new LocalKeyProvider(keyring), "pkcs11", hsm));
    assertThat(kms.resolve(null, "team-a")).isEqualTo(newDefault.arn());
    EnvelopeCipher cipher = new EnvelopeCipher(kms);
    assertThat(cipher.open(fixtureEnvelope(), FIXTURE_CONTEXT))
        .isEqualTo("Sfixture value".getBytes(StandardCharsets.UTF_8));
    byte[] sealed = cipher.seal(newDefault.arn(), FIXTURE_CONTEXT, new byte[] {'S', 'x'});
    assertThat(cipher.open(sealed, FIXTURE_CONTEXT)).containsExactly('S', 'x');
  }

  @Test
  void refusesToStartWhenTheProviderLostMaterialTheKeyringKnows() throws IOException {
    Keyring keyring = KeyringSecret.fromSecret(fixtureKeyring(), ARNS);
    keyring.ensureDefaultKey(new InMemoryKeyProvider("pkcs11"));

    assertThatThrownBy(() -> keyring.ensureDefaultKey(new InMemoryKeyProvider("pkcs11")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "has material versions [1] in the keyring but provider pkcs11 holds []");
  }

  @Test
  void keysCreatedByTheProviderForOtherCatalogsAreNotInTheKeyringsCatalog() {
    Keyring keyring = KeyringSecret.inMemory(ARNS);
    LocalKeyProvider local = new LocalKeyProvider(keyring);
    String keyId = "6b0d1c62-6f44-4a39-a4c8-0d1d2f1f0a11";

    local.createKey(keyId);

    assertThat(local.materialVersions(keyId)).containsExactly(1);
    assertThat(keyring.find(keyId)).isEmpty();
    assertThat(keyring.find(keyring.arn(keyId))).isEmpty();
  }

  static final String SPI_FIXTURE = "/dev/managedsecrets/operator/kms/keyring-spi/";

  /**
   * A keyring written by the provider-SPI code, before KmsKey resources: the old default key
   * (local, rotated, no alias any more), local material of a key another catalog describes, and the
   * default key in pkcs11.
   */
  static Secret spiFixtureKeyring() throws IOException {
    try (InputStream in =
        LocalKmsKeyringTest.class.getResourceAsStream(SPI_FIXTURE + "managedsecret-keyring.yaml")) {
      return Serialization.unmarshal(in, Secret.class);
    }
  }

  @Test
  void readsAKeyringWrittenBeforeKmsKeyResourcesAndItsEntriesStayAsTheyWere() throws IOException {
    Secret secret = spiFixtureKeyring();
    JsonNode before = keysJson(secret);
    Keyring keyring = KeyringSecret.fromSecret(secret, ARNS);
    String otherCatalogKey = "0f4b2c1e-8d8a-4c55-9a55-3c1b9e0d7a21";

    assertThat(keyring.defaultKey().provider()).isEqualTo("pkcs11");
    assertThat(keyring.defaultKey().materialVersions()).containsExactly(1);
    assertThat(
            keyring.find("arn:k8s:kms:local:123456789012:key/f89d1acc-d396-40fb-8c21-b7ed49ac1962"))
        .get()
        .satisfies(k -> assertThat(k.materialVersions()).containsExactly(1, 2));
    assertThat(keyring.localMaterialVersions(otherCatalogKey)).containsExactly(1, 2);
    assertThat(keyring.ownedKeys()).as("no entry has an owner").isEmpty();
    byte[] envelope;
    try (InputStream in = getClass().getResourceAsStream(SPI_FIXTURE + "envelope.b64")) {
      envelope =
          Base64.getDecoder().decode(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
    }
    KeyMetadata other =
        new KeyMetadata(
            otherCatalogKey,
            keyring.arn(otherCatalogKey),
            List.of(),
            KeyState.ENABLED,
            "local",
            List.of(1, 2),
            null);
    Kms kms =
        new ProviderKms(
            ref -> java.util.Optional.of(other).filter(k -> k.isNamedBy(ref)),
            Map.of("local", new LocalKeyProvider(keyring)));
    assertThat(new EnvelopeCipher(kms).open(envelope, FIXTURE_CONTEXT))
        .isEqualTo("Sfixture value".getBytes(StandardCharsets.UTF_8));

    // A KmsKey's key joins the keyring; the entries that were there are written back unchanged.
    LocalKeyProvider local = new LocalKeyProvider(keyring);
    String keyId = "7c1d2e3f-1111-4222-8333-944455556666";
    keyring.recordOwnedKey(
        keyId, "team-a/orders", "uid-team-a", "local", KeyState.ENABLED, java.time.Instant.EPOCH);
    local.createKey(keyId);
    JsonNode after = keysJson(secret);
    assertThat(after).hasSize(4);
    for (int i = 0; i < 3; i++) {
      assertThat(after.get(i)).as("entry %d", i).isEqualTo(before.get(i));
    }
    List<String> fields = new ArrayList<>();
    after.get(3).fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("keyId", "materials", "owner", "state", "createdDate");
  }

  static final String RAW_REQUEST_FIXTURE = "/dev/managedsecrets/operator/kms/keyring-kmskey/";

  /**
   * A keyring written when keys.json recorded the rotate-key annotation's value itself ({@code
   * rotationRequest}): KmsKey team-a/orders rotated once on request "2026-05-01", and team-a/big
   * created under a value of 10,000 characters.
   */
  static Secret rawRequestFixtureKeyring() throws IOException {
    try (InputStream in =
        LocalKmsKeyringTest.class.getResourceAsStream(
            RAW_REQUEST_FIXTURE + "managedsecret-keyring.yaml")) {
      return Serialization.unmarshal(in, Secret.class);
    }
  }

  static KmsKey annotated(String name, String rotateKey) {
    KmsKey key = new KmsKey();
    key.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team-a")
            .withName(name)
            .withAnnotations(Map.of(KmsKeyPolicy.ROTATE_ANNOTATION, rotateKey))
            .build());
    return key;
  }

  @Test
  void rotateKeyValuesThatAKeyringRecordedReadAsTheirDigestsAndOnlyTheDigestsAreWrittenBack()
      throws IOException {
    Secret secret = rawRequestFixtureKeyring();
    int sizeBefore = secret.getData().get(KeyringSecret.KEYS).length();
    Keyring keyring = KeyringSecret.fromSecret(secret, ARNS);
    Keyring.OwnedKey orders = keyring.ownedKey("team-a/orders", "uid-team-a").orElseThrow();
    Keyring.OwnedKey big = keyring.ownedKey("team-a/big", "uid-team-a").orElseThrow();

    // The annotations those values came from are handled: they don't rotate the keys again.
    assertThat(orders.rotationRequest())
        .isEqualTo(KmsKeyPolicy.rotationRequest(annotated("orders", "2026-05-01")));
    assertThat(big.rotationRequest()).isEqualTo(Keyring.requestDigest("x".repeat(10_000)));
    // The one rotation of orders counts as on request (the old keyring did not say).
    assertThat(orders.materialVersions()).containsExactly(1, 2);
    assertThat(orders.onDemandRotations()).isEqualTo(1);
    assertThat(big.onDemandRotations()).isZero();

    // The first write keeps digests only, and the key still works.
    KmsKeyManager keys =
        new KmsKeyManager(
            keyring, Map.of("local", new LocalKeyProvider(keyring)), "local", Clock.systemUTC());
    keys.rotateOnDemand(orders, null, Keyring.requestDigest("2026-06-01"));

    JsonNode after = keysJson(secret);
    assertThat(after.findValues("rotationRequest")).isEmpty();
    assertThat(after.get(1).get("owner").asText()).isEqualTo("team-a/orders");
    assertThat(after.get(1).get("rotationRequestSha256").asText())
        .isEqualTo(Keyring.requestDigest("2026-06-01"));
    assertThat(after.get(1).get("onDemandRotations").asInt()).isEqualTo(2);
    assertThat(after.get(2).get("rotationRequestSha256").asText())
        .isEqualTo(Keyring.requestDigest("x".repeat(10_000)));
    assertThat(secret.getData().get(KeyringSecret.KEYS).length())
        .as("the 10,000 characters are gone")
        .isLessThan(sizeBefore - 10_000);
    Keyring reread = KeyringSecret.fromSecret(secret, ARNS);
    assertThat(reread.ownedKey("team-a/big", "uid-team-a")).contains(big);
    assertThat(reread.ownedKey("team-a/orders", "uid-team-a").orElseThrow().materialVersions())
        .containsExactly(1, 2, 3);
    assertThat(reread.localMaterialVersions(orders.keyId())).containsExactly(1, 2, 3);
  }

  private static JsonNode keysJson(Secret secret) throws IOException {
    return new ObjectMapper()
        .readTree(Base64.getDecoder().decode(secret.getData().get(KeyringSecret.KEYS)));
  }
}
