package dev.managedsecrets.core.replication;

import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A payload with distinctive values, and the key lookups of the replica region's operator. */
final class ReplicaFixtures {

  static final String VALUE = "CANARY-value-7f3a9c-do-not-print";
  static final byte[] BINARY = {(byte) 0xca, (byte) 0xfe, 0x00, 0x7f, (byte) 0x80, 0x01};
  static final String TAG_VALUE = "CANARY-tag-value-41d2";
  static final String DESCRIPTION = "CANARY-description-9b1e";
  static final String SPEC = "{\"template\":{\"CANARY-key-name-5c0d\":\"{{ .password }}\"}}";
  static final List<String> CANARIES = List.of(VALUE, TAG_VALUE, DESCRIPTION, "CANARY-key-name");

  static final ReplicaBinding BINDING =
      new ReplicaBinding("us-east-1", "eu-west-1", "team-a", "orders");

  private ReplicaFixtures() {}

  static ReplicaPayload payload() {
    return payload(BINDING, VALUE);
  }

  static ReplicaPayload payload(ReplicaBinding binding, String value) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("team", TAG_VALUE);
    tags.put("env", "prod");
    return new ReplicaPayload(
        binding,
        "arn:aws:secretsmanager:us-east-1:000000000000:secret:team-a/orders-AbCdEf",
        42,
        DESCRIPTION,
        tags,
        SPEC,
        List.of(
            new ReplicaVersion(
                "11111111-2222-3333-4444-555555555555",
                List.of("AWSCURRENT", "blue"),
                Instant.parse("2026-12-01T10:15:30.123456789Z"),
                value.getBytes(StandardCharsets.UTF_8),
                false),
            new ReplicaVersion(
                "66666666-7777-8888-9999-000000000000",
                List.of("AWSPREVIOUS"),
                Instant.parse("2026-11-01T00:00:00Z"),
                BINARY.clone(),
                true)));
  }

  static Function<String, SealingPrivateKey> holding(SealingPrivateKey key) {
    return id -> id.equals(key.keyId()) ? key : null;
  }

  static Function<String, SealingPublicKey> accepting(SealingPublicKey key) {
    return id -> id.equals(key.keyId()) ? key : null;
  }
}
