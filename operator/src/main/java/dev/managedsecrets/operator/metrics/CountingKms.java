package dev.managedsecrets.operator.metrics;

import dev.managedsecrets.core.crypto.DataKey;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** Counts KMS calls by operation and result as managedsecret_kms_requests_total. */
public final class CountingKms implements Kms {

  public static final String METRIC = "managedsecret.kms.requests";

  private final Kms delegate;
  private final MeterRegistry registry;

  public CountingKms(Kms delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public String resolve(String kmsKeyId, String namespace) {
    return delegate.resolve(kmsKeyId, namespace);
  }

  @Override
  public DataKey generateDataKey(String keyArn, EncryptionContext context) {
    return count("GenerateDataKey", () -> delegate.generateDataKey(keyArn, context));
  }

  @Override
  public byte[] decrypt(
      String keyArn, int materialVersion, byte[] wrapped, EncryptionContext context) {
    return count("Decrypt", () -> delegate.decrypt(keyArn, materialVersion, wrapped, context));
  }

  private <T> T count(String operation, Supplier<T> call) {
    String result = "success";
    try {
      return call.get();
    } catch (SecretsManagerException e) {
      result = e.error().exceptionName();
      throw e;
    } catch (RuntimeException e) {
      result = "error";
      throw e;
    } finally {
      Counter.builder(METRIC)
          .description("KMS requests by operation and result")
          .tag("operation", operation)
          .tag("result", result)
          .register(registry)
          .increment();
    }
  }
}
