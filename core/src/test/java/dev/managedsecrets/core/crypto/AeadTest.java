package dev.managedsecrets.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class AeadTest {

  private static final byte[] AAD = "key-arn\n1\n".getBytes(StandardCharsets.UTF_8);

  @Test
  void writesNonceThenCiphertextAsPlainJcaReadsIt() throws Exception {
    byte[] key = Aead.randomKey();
    byte[] plaintext = Aead.randomKey();

    byte[] sealed = Aead.encrypt(key, plaintext, AAD);

    assertThat(sealed).hasSize(12 + plaintext.length + 16);
    Cipher jca = Cipher.getInstance("AES/GCM/NoPadding");
    jca.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, sealed, 0, 12));
    jca.updateAAD(AAD);
    assertThat(jca.doFinal(sealed, 12, sealed.length - 12)).isEqualTo(plaintext);
  }

  /** One thread's kept Cipher is re-initialised for every key, nonce and direction. */
  @Test
  void oneThreadAlternatingKeysAndDirectionsGetsEachRight() throws Exception {
    byte[] a = Aead.randomKey();
    byte[] b = Aead.randomKey();
    byte[] sealedA = Aead.encrypt(a, "under a".getBytes(StandardCharsets.UTF_8), AAD);
    byte[] sealedB = Aead.encrypt(b, "under b".getBytes(StandardCharsets.UTF_8), AAD);
    byte[] sealedA2 = Aead.encrypt(a, "under a".getBytes(StandardCharsets.UTF_8), AAD);

    assertThat(Arrays.copyOf(sealedA, 12)).isNotEqualTo(Arrays.copyOf(sealedA2, 12));
    assertThat(new String(Aead.decrypt(a, sealedA, AAD), StandardCharsets.UTF_8))
        .isEqualTo("under a");
    assertThatThrownBy(() -> Aead.decrypt(b, sealedA, AAD)).isInstanceOf(AEADBadTagException.class);
    assertThat(new String(Aead.decrypt(b, sealedB, AAD), StandardCharsets.UTF_8))
        .isEqualTo("under b");
    assertThat(new String(Aead.decrypt(a, sealedA2, AAD), StandardCharsets.UTF_8))
        .isEqualTo("under a");
  }

  @Test
  void aFailedOpenLeavesTheThreadsCipherUsable() throws Exception {
    byte[] key = Aead.randomKey();
    byte[] sealed = Aead.encrypt(key, new byte[] {1, 2, 3}, AAD);
    byte[] altered = sealed.clone();
    altered[altered.length - 1] ^= 1;

    assertThatThrownBy(() -> Aead.decrypt(key, altered, AAD))
        .isInstanceOf(AEADBadTagException.class);
    assertThatThrownBy(() -> Aead.decrypt(key, sealed, "other".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(AEADBadTagException.class);
    assertThat(Aead.decrypt(key, sealed, AAD)).containsExactly(1, 2, 3);
    assertThat(Aead.decrypt(key, Aead.encrypt(key, new byte[0], AAD), AAD)).isEmpty();
  }

  /** A scrubbed data-key Cipher no longer holds the data key: what it would open, it cannot. */
  @Test
  void scrubReKeysTheDataKeyCipher() throws Exception {
    byte[] dataKey = Aead.randomKey();
    GCMParameterSpec nonce = new GCMParameterSpec(128, new byte[12]);
    Cipher jca = Cipher.getInstance("AES/GCM/NoPadding");
    jca.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), nonce);
    byte[] sealed = jca.doFinal("value".getBytes(StandardCharsets.UTF_8));

    Cipher cipher = Aead.dataKeyCipher();
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), nonce);
    Aead.scrub(cipher);

    assertThatThrownBy(() -> cipher.doFinal(sealed)).isInstanceOf(AEADBadTagException.class);
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), nonce);
    assertThat(cipher.doFinal(sealed)).isEqualTo("value".getBytes(StandardCharsets.UTF_8));
    Aead.scrub(cipher);
  }

  @Test
  void threadsDoNotShareACipher() throws Exception {
    byte[] key = Aead.randomKey();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        byte fill = (byte) t;
        results.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 500; i++) {
                    byte[] plaintext = new byte[64 + i];
                    Arrays.fill(plaintext, fill);
                    if (!Arrays.equals(
                        Aead.decrypt(key, Aead.encrypt(key, plaintext, AAD), AAD), plaintext)) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
