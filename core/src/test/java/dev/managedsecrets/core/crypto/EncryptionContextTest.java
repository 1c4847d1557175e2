package dev.managedsecrets.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncryptionContextTest {

  @Test
  void forVersionHoldsSecretArnAndVersionId() {
    EncryptionContext ctx = EncryptionContext.forVersion("arn:x", "v1");

    assertThat(ctx.pairs())
        .containsExactlyInAnyOrderEntriesOf(Map.of("SecretARN", "arn:x", "SecretVersionId", "v1"));
  }

  @Test
  void canonicalBytesDoNotDependOnInsertionOrder() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");

    assertThat(new EncryptionContext(ab).canonicalBytes())
        .isEqualTo(new EncryptionContext(ba).canonicalBytes());
  }

  @Test
  void canonicalBytesAreLengthPrefixedSoBoundariesMatter() {
    byte[] one = new EncryptionContext(Map.of("k", "ab")).canonicalBytes();
    byte[] other = new EncryptionContext(Map.of("ka", "b")).canonicalBytes();

    assertThat(one).isNotEqualTo(other);
    assertThat(one).containsExactly(0, 0, 0, 1, 'k', 0, 0, 0, 2, 'a', 'b');
  }

  @Test
  void differentVersionOrSecretGivesDifferentBytes() {
    byte[] base = EncryptionContext.forVersion("arn:x", "v1").canonicalBytes();

    assertThat(EncryptionContext.forVersion("arn:x", "v2").canonicalBytes()).isNotEqualTo(base);
    assertThat(EncryptionContext.forVersion("arn:y", "v1").canonicalBytes()).isNotEqualTo(base);
  }
}
