package dev.managedsecrets.bench;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.value.PasswordGenerator;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Change detection: the keyed hash of a typical ManagedSecret's inputs (what every idle reconcile
 * computes) against a raw HMAC-SHA256 over the same value bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// Long warm-up: on a shared two-core machine the JIT is still compiling after 3 s.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class KeyedHashBenchmark {

  ValueAssembler values;
  SecretId id;
  ValueInput keyValues;
  ValueInput whole;
  byte[] keyValueBytes;
  byte[] wholeBytes;
  SecretKeySpec key;

  @Setup
  public void setup() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    key = new SecretKeySpec(k, "HmacSHA256");
    values = new ValueAssembler(new KeyedHash(k), new PasswordGenerator());
    id = new SecretId("production", "production/OrdersDatabase");
    TreeMap<String, String> data = new TreeMap<>();
    data.put("username", "orders_app");
    data.put("apiKey", "0123456789abcdef0123456789abcdef");
    data.put("region", "eu-west-1");
    TreeMap<String, GenerateSpec> generate = new TreeMap<>();
    generate.put("password", new GenerateSpec());
    keyValues = new ValueInput.KeyValues(data, generate, null);
    keyValueBytes = data.toString().getBytes(StandardCharsets.UTF_8);
    String json = "{\"username\":\"saanvi\",\"password\":\"aDM4N3*!8TT\",\"host\":\"db.internal\"}";
    whole = new ValueInput.Whole(SecretValue.text(json));
    wholeBytes = json.getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public String inputHashOfKeyValues() {
    return values.inputHash(id, keyValues);
  }

  @Benchmark
  public String inputHashOfSecretString() {
    return values.inputHash(id, whole);
  }

  @Benchmark
  public byte[] rawHmacOfKeyValues() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(key);
    return mac.doFinal(keyValueBytes);
  }

  @Benchmark
  public byte[] rawHmacOfSecretString() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(key);
    return mac.doFinal(wholeBytes);
  }
}
