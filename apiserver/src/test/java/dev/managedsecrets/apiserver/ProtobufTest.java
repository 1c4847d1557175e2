package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Protobuf}: a field of a body as kubectl encodes it. */
class ProtobufTest {

  /** A SelfSubjectRulesReview for namespace {@code ns}, as kubectl auth can-i --list sends it. */
  static byte[] rulesReview(String ns) {
    byte[] typeMeta =
        concat(
            bytesField(1, "authorization.k8s.io/v1".getBytes(StandardCharsets.UTF_8)),
            bytesField(2, "SelfSubjectRulesReview".getBytes(StandardCharsets.UTF_8)));
    byte[] objectMeta = concat(bytesField(1, new byte[0]), varintField(7, 300)); // name, generation
    byte[] spec = bytesField(1, ns.getBytes(StandardCharsets.UTF_8));
    byte[] review =
        concat(
            bytesField(1, objectMeta),
            fixed64Field(9),
            bytesField(2, spec),
            bytesField(3, new byte[0]));
    byte[] unknown =
        concat(
            bytesField(1, typeMeta),
            bytesField(2, review),
            bytesField(3, new byte[0]),
            bytesField(4, new byte[0]));
    return concat(new byte[] {'k', '8', 's', 0}, unknown);
  }

  @Test
  void readsANestedTextFieldSkippingTheOthers() {
    byte[] object = Protobuf.object(rulesReview("team-a"));
    assertThat(Protobuf.text(object, 2, 1)).isEqualTo("team-a");
    assertThat(Protobuf.text(object, 4, 1)).as("an absent field").isNull();
    assertThat(Protobuf.text(Protobuf.object(rulesReview("")), 2, 1)).isEmpty();
  }

  @Test
  void refusesABodyWithoutTheMagicPrefixOrCutShort() {
    assertThatThrownBy(() -> Protobuf.object("{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code).isEqualTo(400));
    byte[] whole = rulesReview("team-a");
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 12);
    assertThatThrownBy(() -> Protobuf.text(Protobuf.object(cut), 2, 1))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code).isEqualTo(400));
  }

  private static byte[] text(int number, String value) {
    return bytesField(number, value.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] mapEntry(int number, String key, byte[] value) {
    return bytesField(number, concat(text(1, key), bytesField(2, value)));
  }

  @Test
  void readsASecretAsKubectlCreateSecretGenericSendsIt() {
    byte[] meta =
        concat(
            text(1, "db"),
            text(3, "team-a"),
            mapEntry(11, "app", "orders".getBytes(StandardCharsets.UTF_8)),
            varintField(7, 0));
    byte[] secret =
        concat(
            bytesField(1, meta),
            mapEntry(2, "password", new byte[] {0, (byte) 0xff, 'x'}),
            text(3, "Opaque"),
            varintField(5, 1));
    byte[] body =
        concat(
            new byte[] {'k', '8', 's', 0},
            bytesField(1, concat(text(1, "v1"), text(2, "Secret"))),
            bytesField(2, secret));

    var json = Protobuf.coreObject("secrets", body);
    assertThat(json.toString())
        .isEqualTo(
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\","
                + "\"namespace\":\"team-a\",\"labels\":{\"app\":\"orders\"}},"
                + "\"data\":{\"password\":\"AP94\"},\"type\":\"Opaque\",\"immutable\":true}");
    assertThat(Protobuf.coreObject("pods", body)).as("another kind is not read").isNull();
  }

  @Test
  void readsAConfigMapAndANamespace() {
    byte[] cm =
        concat(
            bytesField(1, text(1, "settings")),
            mapEntry(2, "mode", "fast".getBytes(StandardCharsets.UTF_8)));
    byte[] ns = concat(bytesField(1, text(1, "team-x")), bytesField(2, text(1, "kubernetes")));
    assertThat(Protobuf.coreObject("configmaps", wrap(cm)).toString())
        .isEqualTo(
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\"},"
                + "\"data\":{\"mode\":\"fast\"}}");
    assertThat(Protobuf.coreObject("namespaces", wrap(ns)).toString())
        .isEqualTo(
            "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team-x\"},"
                + "\"spec\":{\"finalizers\":[\"kubernetes\"]}}");
  }

  @Test
  void readsATokenRequestAsKubectlCreateTokenSendsIt() {
    byte[] bound = concat(text(1, "Pod"), text(2, "v1"), text(3, "app-0"), text(4, "pod-uid"));
    byte[] spec =
        concat(text(1, "aud-1"), text(1, "aud-2"), bytesField(3, bound), varintField(4, 900));
    byte[] request = concat(bytesField(1, text(1, "app")), bytesField(2, spec));
    assertThat(
            Protobuf.review("TokenRequest", "authentication.k8s.io/v1", wrap(request)).toString())
        .isEqualTo(
            "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\","
                + "\"metadata\":{\"name\":\"app\"},\"spec\":{\"audiences\":[\"aud-1\",\"aud-2\"],"
                + "\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"app-0\","
                + "\"uid\":\"pod-uid\"},\"expirationSeconds\":900}}");
  }

  @Test
  void readsASubjectAccessReviewWithItsGroupsAndExtra() {
    byte[] attributes =
        concat(
            text(1, "team-a"),
            text(2, "get"),
            text(3, "managedsecrets.dev"),
            text(5, "managedsecrets"),
            text(6, "value"),
            text(7, "db"));
    byte[] extra =
        bytesField(5, concat(text(1, "scopes"), bytesField(2, concat(text(1, "a"), text(1, "b")))));
    byte[] spec =
        concat(bytesField(1, attributes), text(3, "alice"), text(4, "devs"), text(4, "ops"), extra);
    assertThat(
            Protobuf.review(
                    "SubjectAccessReview", "authorization.k8s.io/v1", wrap(bytesField(2, spec)))
                .path("spec")
                .toString())
        .isEqualTo(
            "{\"resourceAttributes\":{\"namespace\":\"team-a\",\"verb\":\"get\","
                + "\"group\":\"managedsecrets.dev\",\"resource\":\"managedsecrets\","
                + "\"subresource\":\"value\",\"name\":\"db\"},\"user\":\"alice\","
                + "\"groups\":[\"devs\",\"ops\"],\"extra\":{\"scopes\":[\"a\",\"b\"]}}");
  }

  private static byte[] wrap(byte[] object) {
    return concat(new byte[] {'k', '8', 's', 0}, bytesField(2, object));
  }

  private static byte[] bytesField(int number, byte[] value) {
    return concat(varint((number << 3) | 2), varint(value.length), value);
  }

  private static byte[] varintField(int number, long value) {
    return concat(varint(number << 3), varint(value));
  }

  private static byte[] fixed64Field(int number) {
    return concat(varint((number << 3) | 1), new byte[8]);
  }

  private static byte[] varint(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((value & ~0x7fL) != 0) {
      out.write((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
