package dev.managedsecrets.operator.kms;

import dev.managedsecrets.core.crypto.Aead;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A provider under any name that keeps its material in this JVM: a stand-in in unit tests. */
final class InMemoryKeyProvider implements KeyProvider {

  private final String name;
  private final Map<String, TreeMap<Integer, byte[]>> keys = new HashMap<>();

  InMemoryKeyProvider(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized int createKey(String keyId) {
    keys.computeIfAbsent(keyId, k -> new TreeMap<>()).putIfAbsent(1, Aead.randomKey());
    return 1;
  }

  @Override
  public synchronized int rotate(String keyId) {
    TreeMap<Integer, byte[]> versions = keys.get(keyId);
    if (versions == null) {
      throw new SecretsManagerException(AwsError.RESOURCE_NOT_FOUND_EXCEPTION, "no key " + keyId);
    }
    int next = versions.lastKey() + 1;
    versions.put(next, Aead.randomKey());
    return next;
  }

  @Override
  public synchronized List<Integer> materialVersions(String keyId) {
    return new ArrayList<>(keys.getOrDefault(keyId, new TreeMap<>()).keySet());
  }

  @Override
  public synchronized NewDataKey generateDataKey(
      String keyId, int materialVersion, EncryptionContext context) {
    byte[] material = material(keyId, materialVersion, AwsError.ENCRYPTION_FAILURE);
    byte[] plaintext = Aead.randomKey();
    return new NewDataKey(
        plaintext, Aead.encrypt(material, plaintext, aad(keyId, materialVersion, context)));
  }

  @Override
  public synchronized byte[] decrypt(
      String keyId, int materialVersion, byte[] wrapped, EncryptionContext context) {
    byte[] material = material(keyId, materialVersion, AwsError.DECRYPTION_FAILURE);
    try {
      return Aead.decrypt(material, wrapped, aad(keyId, materialVersion, context));
    } catch (GeneralSecurityException e) {
      throw new SecretsManagerException(AwsError.DECRYPTION_FAILURE, "did not unwrap");
    }
  }

  private byte[] material(String keyId, int version, AwsError failure) {
    byte[] material = keys.getOrDefault(keyId, new TreeMap<>()).get(version);
    if (material == null) {
      throw new SecretsManagerException(failure, "no material " + version + " of " + keyId);
    }
    return material;
  }

  private static byte[] aad(String keyId, int version, EncryptionContext context) {
    return (keyId
            + "\n"
            + version
            + "\n"
            + new String(context.canonicalBytes(), StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8);
  }
}
