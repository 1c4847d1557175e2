package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a ManagedSecret takes from its fromSecret source, bounded before it is decoded. */
class SourceSecretsTest {

  /** 100,000 characters that are not base64: decoding any of them would fail. */
  private static final String UNDECODABLE = "!".repeat(100_000);

  private static Secret source(Map<String, String> data, Map<String, String> stringData) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("db-source")
        .endMetadata()
        .withData(data)
        .withStringData(stringData)
        .build();
  }

  private static String b64(int bytes) {
    return Base64.getEncoder().encodeToString(new byte[bytes]);
  }

  private static SecretsManagerException refused(Secret source, String key) {
    SecretsManagerException e =
        catchThrowableOfType(SecretsManagerException.class, () -> SourceSecrets.taken(source, key));
    assertThat(e).as("the source must be refused").isNotNull();
    assertThat(e.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION);
    return e;
  }

  @Test
  void aSourceLargerThanAValueIsRefusedBeforeAnyOfItsBytesIsDecoded() {
    Secret source = source(Map.of("payload-91ab", UNDECODABLE), null);

    SecretsManagerException everyKey = refused(source, null);
    refused(source, "payload-91ab");

    assertThat(everyKey.getMessage())
        .isEqualTo(
            "1 validation error detected: Value at 'fromSecret' failed to satisfy constraint:"
                + " Member must have length less than or equal to 65536: the data taken from"
                + " Secret db-source is larger than a secret value may be.")
        .doesNotContain("payload-91ab");
  }

  @Test
  void onlyTheNamedKeyIsCountedAndDecoded() {
    Secret source =
        source(Map.of("big", UNDECODABLE, "small", b64(3)), Map.of("also-big", "x".repeat(70_000)));

    Map<String, byte[]> taken = SourceSecrets.taken(source, "small");

    assertThat(taken).containsOnlyKeys("small");
    assertThat(taken.get("small")).hasSize(3);
  }

  @Test
  void everyKeyIsTakenUpToTheBoundCountingKeysAndValuesOfDataAndStringData() {
    // Keys and values: 1 + 60,000 + 2 + 5,533 = 65,536 bytes; one byte more is refused.
    Secret fits = source(Map.of("a", b64(60_000)), Map.of("bb", "é".repeat(2766) + "x"));
    Secret over = source(Map.of("a", b64(60_001)), Map.of("bb", "é".repeat(2766) + "x"));

    Map<String, byte[]> taken = SourceSecrets.taken(fits, null);

    assertThat(taken).containsOnlyKeys("a", "bb");
    assertThat(new String(taken.get("bb"), StandardCharsets.UTF_8)).endsWith("x");
    refused(over, null);
  }

  @Test
  void oneKeyIsTakenUpToTheBoundOfItsValueAlone() {
    assertThat(SourceSecrets.taken(source(Map.of("k", b64(65_536)), null), "k").get("k"))
        .hasSize(65_536);
    refused(source(Map.of("k", b64(65_537)), null), "k");
  }
}
