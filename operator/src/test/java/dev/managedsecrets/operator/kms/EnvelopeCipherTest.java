package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.core.crypto.DataKey;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EnvelopeCipherTest {

  private static final String SECRET_ARN =
      "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf";
  private static final String VERSION_ID = "3f1c7c1e-2a4b-4d0e-8f7a-1b2c3d4e5f60";
  private static final String CANARY = "canary-Pl41nt3xt-7f3a9b";
  private static final byte[] PLAINTEXT = CANARY.getBytes(StandardCharsets.UTF_8);

  private static LocalKms kms;
  private static EnvelopeCipher cipher;
  private static String keyArn;

  @BeforeAll
  static void keyring() {
    kms = TestKeyrings.newLocalKms();
    cipher = new EnvelopeCipher(kms);
    keyArn = kms.resolve(null, "team-a");
  }

  /** The store record that holds the version: its namespace, name and incarnation. */
  private static final SecretId RECORD = new SecretId("team-a", "shared/db", "uid-team-a");

  private static EncryptionContext context() {
    return EncryptionContext.forVersion(SECRET_ARN, VERSION_ID);
  }

  private static SecretsManagerException openFails(
      byte[] stored, EncryptionContext ctx, SecretId record) {
    SecretsManagerException e =
        catchThrowableOfType(SecretsManagerException.class, () -> cipher.open(stored, ctx, record));
    assertThat(e).as("open must throw, never return bytes").isNotNull();
    return e;
  }

  private static SecretsManagerException openFails(byte[] stored, EncryptionContext ctx) {
    SecretsManagerException e =
        catchThrowableOfType(SecretsManagerException.class, () -> cipher.open(stored, ctx));
    assertThat(e).as("open must throw, never return bytes").isNotNull();
    return e;
  }

  /** Every text of the exception and its causes, as a log line with a stack trace would show. */
  private static String everyText(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out + "\n" + t;
  }

  private static void assertNoPlaintextIn(Throwable t) {
    String text = everyText(t);
    assertThat(text)
        .doesNotContain(CANARY)
        .doesNotContain(Base64.getEncoder().encodeToString(PLAINTEXT))
        .doesNotContainIgnoringCase(HexFormat.of().formatHex(PLAINTEXT))
        .doesNotContain(Arrays.toString(PLAINTEXT));
  }

  @Test
  void sealThenOpenRoundTrips() {
    byte[] sealed = cipher.seal(keyArn, context(), PLAINTEXT);

    assertThat(cipher.open(sealed, context())).isEqualTo(PLAINTEXT);
  }

  /**
   * The stored format, written here with plain JCA: the header, then AES-256-GCM of the value under
   * the data key with the header and the context's canonical bytes, joined, as associated data.
   * Versions stored by any earlier operator open; a seal parses to the same layout.
   */
  @Test
  void opensTheFormatWrittenWithPlainJcaAndSealsTheSameLayout() throws Exception {
    DataKey dataKey = kms.generateDataKey(keyArn, context());
    byte[] nonce = new byte[12];
    new java.security.SecureRandom().nextBytes(nonce);
    byte[] header =
        new Envelope(keyArn, dataKey.materialVersion(), dataKey.wrapped(), nonce, new byte[0])
            .header();
    byte[] ctx = context().canonicalBytes();
    byte[] aad = Arrays.copyOf(header, header.length + ctx.length);
    System.arraycopy(ctx, 0, aad, header.length, ctx.length);
    javax.crypto.Cipher jca = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    jca.init(
        javax.crypto.Cipher.ENCRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(dataKey.plaintext(), "AES"),
        new javax.crypto.spec.GCMParameterSpec(128, nonce));
    jca.updateAAD(aad);
    byte[] ciphertext = jca.doFinal(PLAINTEXT);
    byte[] stored = Arrays.copyOf(header, header.length + ciphertext.length);
    System.arraycopy(ciphertext, 0, stored, header.length, ciphertext.length);

    assertThat(cipher.open(stored, context())).isEqualTo(PLAINTEXT);
    assertThat(cipher.open(stored, context(), "team-a")).isEqualTo(PLAINTEXT);

    byte[] sealed = cipher.seal(keyArn, context(), PLAINTEXT);
    Envelope e = Envelope.parse(sealed);
    byte[] sealedHeader = Arrays.copyOf(sealed, sealed.length - e.ciphertext().length);
    assertThat(sealedHeader).isEqualTo(e.header());
    byte[] key = kms.decrypt(e.keyArn(), e.materialVersion(), e.wrappedKey(), context());
    byte[] sealedAad = Arrays.copyOf(sealedHeader, sealedHeader.length + ctx.length);
    System.arraycopy(ctx, 0, sealedAad, sealedHeader.length, ctx.length);
    jca.init(
        javax.crypto.Cipher.DECRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(key, "AES"),
        new javax.crypto.spec.GCMParameterSpec(128, e.nonce()));
    jca.updateAAD(sealedAad);
    assertThat(jca.doFinal(e.ciphertext())).isEqualTo(PLAINTEXT);
  }

  /** Each thread keeps one data-key Cipher: a failed open must not leave it unusable. */
  @Test
  void aFailedOpenDoesNotSpoilTheNextSealOrOpenOnTheSameThread() {
    byte[] sealed = cipher.seal(keyArn, context(), PLAINTEXT);
    byte[] altered = sealed.clone();
    altered[altered.length - 1] ^= 1;

    assertThat(openFails(altered, context()).error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
    assertThat(cipher.open(sealed, context())).isEqualTo(PLAINTEXT);
    byte[] again = cipher.seal(keyArn, context(), PLAINTEXT);
    assertThat(cipher.open(again, context())).isEqualTo(PLAINTEXT);
  }

  @Test
  void canonicalBytesHandedOutAreCopies() {
    EncryptionContext ctx = context();
    byte[] first = ctx.canonicalBytes();
    Arrays.fill(first, (byte) 0);
    byte[] sealed = cipher.seal(keyArn, ctx, PLAINTEXT);

    assertThat(ctx.canonicalBytes()).isNotEqualTo(first);
    assertThat(cipher.open(sealed, context())).isEqualTo(PLAINTEXT);
  }

  @Test
  void roundTripsEmptyAndLargeAndBinaryValues() {
    byte[] large = new byte[65537];
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) i;
    }
    for (byte[] p : List.of(new byte[0], large, new byte[] {0, (byte) 0xFF, (byte) 0x80})) {
      assertThat(cipher.open(cipher.seal(keyArn, context(), p), context())).isEqualTo(p);
    }
  }

  @Test
  void envelopeNamesTheKeyAndDoesNotContainThePlaintext() {
    byte[] sealed = cipher.seal(keyArn, context(), PLAINTEXT);
    Envelope e = Envelope.parse(sealed);

    assertThat(e.keyArn()).isEqualTo(keyArn);
    assertThat(e.nonce()).hasSize(12);
    assertThat(e.ciphertext()).hasSize(PLAINTEXT.length + 16);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(CANARY);
  }

  @Test
  void everySealUsesAFreshDataKeyAndNonce() {
    Envelope a = Envelope.parse(cipher.seal(keyArn, context(), PLAINTEXT));
    Envelope b = Envelope.parse(cipher.seal(keyArn, context(), PLAINTEXT));

    assertThat(a.toBytes()).isNotEqualTo(b.toBytes());
    assertThat(a.wrappedKey()).isNotEqualTo(b.wrappedKey());
    assertThat(a.nonce()).isNotEqualTo(b.nonce());
    assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
  }

  @Test
  void everySealAsksTheKmsForANewDataKeyUnderTheContext() {
    List<EncryptionContext> asked = new ArrayList<>();
    Kms recording =
        new Kms() {
          @Override
          public String resolve(String kmsKeyId, String namespace) {
            return kms.resolve(kmsKeyId, namespace);
          }

          @Override
          public DataKey generateDataKey(String arn, EncryptionContext ctx) {
            asked.add(ctx);
            return kms.generateDataKey(arn, ctx);
          }

          @Override
          public byte[] decrypt(String arn, int version, byte[] wrapped, EncryptionContext ctx) {
            return kms.decrypt(arn, version, wrapped, ctx);
          }
        };
    EnvelopeCipher c = new EnvelopeCipher(recording);

    c.seal(keyArn, context(), PLAINTEXT);
    c.seal(keyArn, context(), PLAINTEXT);

    assertThat(asked).containsExactly(context(), context());
  }

  @Test
  void everySingleByteFlipFailsWithDecryptionFailure() {
    byte[] sealed = cipher.seal(keyArn, context(), PLAINTEXT);
    for (int i = 0; i < sealed.length; i++) {
      for (int mask : new int[] {0x01, 0x80, 0xFF}) {
        byte[] tampered = sealed.clone();
        tampered[i] ^= (byte) mask;
        SecretsManagerException e = openFails(tampered, context());
        assertThat(e.error())
            .as("byte %d xor 0x%02x", i, mask)
            .isEqualTo(AwsError.DECRYPTION_FAILURE);
        assertNoPlaintextIn(e);
      }
    }
  }

  @Test
  void truncationAtEveryLengthFailsWithDecryptionFailure() {
    byte[] sealed = cipher.seal(keyArn, context(), PLAINTEXT);
    for (int n = 0; n < sealed.length; n++) {
      SecretsManagerException e = openFails(Arrays.copyOf(sealed, n), context());
      assertThat(e.error()).as("truncated to %d bytes", n).isEqualTo(AwsError.DECRYPTION_FAILURE);
    }
  }

  @Test
  void appendedBytesFailWithDecryptionFailure() {
    byte[] sealed = cipher.seal(keyArn, context(), PLAINTEXT);
    byte[] longer = Arrays.copyOf(sealed, sealed.length + 1);

    assertThat(openFails(longer, context()).error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void openingUnderAnotherSecretArnFails() {
    byte[] sealed = cipher.seal(keyArn, context(), PLAINTEXT);
    EncryptionContext other =
        EncryptionContext.forVersion(
            "arn:k8s:secretsmanager:local:123456789012:secret:team-b/db-XyZxYz", VERSION_ID);

    SecretsManagerException e = openFails(sealed, other);

    assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
    assertNoPlaintextIn(e);
  }

  @Test
  void openingUnderAnotherVersionIdFails() {
    byte[] sealed = cipher.seal(keyArn, context(), PLAINTEXT);
    EncryptionContext other =
        EncryptionContext.forVersion(SECRET_ARN, "00000000-0000-0000-0000-000000000000");

    SecretsManagerException e = openFails(sealed, other);

    assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
    assertNoPlaintextIn(e);
  }

  @Test
  void aCiphertextSwappedIntoAnotherVersionsEnvelopeFails() {
    EncryptionContext otherVersion = EncryptionContext.forVersion(SECRET_ARN, "other-version");
    Envelope mine = Envelope.parse(cipher.seal(keyArn, context(), PLAINTEXT));
    Envelope theirs = Envelope.parse(cipher.seal(keyArn, otherVersion, PLAINTEXT));
    byte[] spliced =
        new Envelope(
                mine.keyArn(),
                mine.materialVersion(),
                mine.wrappedKey(),
                theirs.nonce(),
                theirs.ciphertext())
            .toBytes();

    assertThat(openFails(spliced, context()).error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void anEnvelopeFromAnotherKeyringFails() {
    LocalKms otherKms = TestKeyrings.newLocalKms();
    byte[] foreign =
        new EnvelopeCipher(otherKms).seal(otherKms.resolve(null, "ns"), context(), PLAINTEXT);

    SecretsManagerException e = openFails(foreign, context());

    assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
    assertNoPlaintextIn(e);
  }

  @Test
  void anEnvelopeNamingAMaterialVersionThatDoesNotExistFails() {
    Envelope e = Envelope.parse(cipher.seal(keyArn, context(), PLAINTEXT));
    byte[] bumped =
        new Envelope(e.keyArn(), e.materialVersion() + 1, e.wrappedKey(), e.nonce(), e.ciphertext())
            .toBytes();

    assertThat(openFails(bumped, context()).error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void garbageFailsWithDecryptionFailure() {
    for (byte[] junk :
        List.of(new byte[0], "not an envelope".getBytes(StandardCharsets.UTF_8), new byte[512])) {
      assertThat(openFails(junk, context()).error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
    }
  }

  /**
   * Format 2, written here with plain JCA: format 1's layout with format byte 2, and as associated
   * data the header, the context's canonical bytes and the record's: {Incarnation, Name,
   * Namespace}, sorted, each key and value after its 4-byte length. A seal parses to that layout.
   */
  @Test
  void opensFormatTwoWrittenWithPlainJcaAndSealsTheSameLayout() throws Exception {
    DataKey dataKey = kms.generateDataKey(keyArn, context());
    byte[] nonce = new byte[12];
    new java.security.SecureRandom().nextBytes(nonce);
    byte[] header =
        new Envelope(
                Envelope.FORMAT_2,
                keyArn,
                dataKey.materialVersion(),
                dataKey.wrapped(),
                nonce,
                new byte[0])
            .header();
    java.io.ByteArrayOutputStream aad = new java.io.ByteArrayOutputStream();
    aad.writeBytes(header);
    aad.writeBytes(context().canonicalBytes());
    for (String part :
        List.of("Incarnation", "uid-team-a", "Name", "shared/db", "Namespace", "team-a")) {
      byte[] b = part.getBytes(StandardCharsets.UTF_8);
      aad.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
      aad.writeBytes(b);
    }
    javax.crypto.Cipher jca = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    jca.init(
        javax.crypto.Cipher.ENCRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(dataKey.plaintext(), "AES"),
        new javax.crypto.spec.GCMParameterSpec(128, nonce));
    jca.updateAAD(aad.toByteArray());
    byte[] ciphertext = jca.doFinal(PLAINTEXT);
    byte[] stored = Arrays.copyOf(header, header.length + ciphertext.length);
    System.arraycopy(ciphertext, 0, stored, header.length, ciphertext.length);

    assertThat(stored[3]).isEqualTo((byte) 2);
    assertThat(cipher.open(stored, context(), RECORD)).isEqualTo(PLAINTEXT);

    byte[] sealed = cipher.seal(keyArn, context(), RECORD, PLAINTEXT);
    Envelope e = Envelope.parse(sealed);
    assertThat(e.format()).isEqualTo(Envelope.FORMAT_2);
    byte[] key = kms.decrypt(e.keyArn(), e.materialVersion(), e.wrappedKey(), context());
    jca.init(
        javax.crypto.Cipher.DECRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(key, "AES"),
        new javax.crypto.spec.GCMParameterSpec(128, e.nonce()));
    byte[] sealedAad = aad.toByteArray();
    System.arraycopy(e.header(), 0, sealedAad, 0, header.length);
    jca.updateAAD(sealedAad);
    assertThat(jca.doFinal(e.ciphertext())).isEqualTo(PLAINTEXT);
  }

  /**
   * The swap a writer of the store could try between two namespaces that use the same secret name
   * and client request token: the same ARN (rewritten in the record) and version id. Format 1 would
   * open; format 2 is bound to the record, whatever else matches.
   */
  @Test
  void aVersionSealedForOneRecordDoesNotOpenAsAnotherRecordWithTheSameArnAndVersionId() {
    byte[] sealed = cipher.seal(keyArn, context(), RECORD, PLAINTEXT);

    for (SecretId other :
        List.of(
            new SecretId("team-b", "shared/db", "uid-team-b"),
            new SecretId("team-b", "shared/db", "uid-team-a"),
            new SecretId("team-a", "shared/other", "uid-team-a"),
            RECORD.in("uid-team-a-again"),
            RECORD.in(""))) {
      SecretsManagerException e = openFails(sealed, context(), other);
      assertThat(e.error()).as("opened as %s", other).isEqualTo(AwsError.DECRYPTION_FAILURE);
      assertThat(e.getMessage()).contains("failed authentication");
      assertNoPlaintextIn(e);
    }
    assertThat(cipher.open(sealed, context(), RECORD)).isEqualTo(PLAINTEXT);
  }

  @Test
  void aFormatTwoVersionDoesNotOpenWithoutItsRecordNorRelabelledAsFormatOne() {
    byte[] sealed = cipher.seal(keyArn, context(), RECORD, PLAINTEXT);
    byte[] relabelled = sealed.clone();
    relabelled[3] = 1;

    SecretsManagerException withoutRecord = openFails(sealed, context());
    assertThat(withoutRecord.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
    assertThat(withoutRecord.getMessage()).contains("bound to a store record");
    assertThat(openFails(relabelled, context(), RECORD).error())
        .isEqualTo(AwsError.DECRYPTION_FAILURE);
    assertThat(openFails(relabelled, context()).error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void aFormatOneVersionStillOpensAsAVersionOfItsRecord() {
    byte[] formatOne = cipher.seal(keyArn, context(), PLAINTEXT);

    assertThat(Envelope.parse(formatOne).format()).isEqualTo(Envelope.FORMAT_1);
    assertThat(cipher.open(formatOne, context(), RECORD)).isEqualTo(PLAINTEXT);
    assertThat(
            openFails(formatOne, EncryptionContext.forVersion(SECRET_ARN, "other"), RECORD).error())
        .isEqualTo(AwsError.DECRYPTION_FAILURE);
  }

  @Test
  void everySingleByteFlipOfAFormatTwoVersionFailsWithDecryptionFailure() {
    byte[] sealed = cipher.seal(keyArn, context(), RECORD, PLAINTEXT);
    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 0x01;
      SecretsManagerException e = openFails(tampered, context(), RECORD);
      assertThat(e.error()).as("byte %d", i).isEqualTo(AwsError.DECRYPTION_FAILURE);
      assertNoPlaintextIn(e);
    }
  }

  @Test
  void decryptionFailureIsRetriedNotTerminal() {
    assertThat(AwsError.DECRYPTION_FAILURE.exceptionName()).isEqualTo("DecryptionFailure");
    assertThat(AwsError.DECRYPTION_FAILURE.terminal()).isFalse();
  }
}
