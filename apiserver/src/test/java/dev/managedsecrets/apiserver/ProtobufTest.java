package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * {@link Protobuf}: bodies as client-go encodes them (made here with the published model's
 * generated builders), read into the JSON the same object has.
 */
class ProtobufTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A body: the magic prefix and a runtime.Unknown with the type and the object. */
  static byte[] body(String apiVersion, String kind, Message object) {
    Runtime.Unknown unknown =
        Runtime.Unknown.newBuilder()
            .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
            .setRaw(object.toByteString())
            .setContentEncoding("")
            .setContentType("")
            .build();
    return ByteString.copyFrom(new byte[] {'k', '8', 's', 0})
        .concat(unknown.toByteString())
        .toByteArray();
  }

  /** A SelfSubjectRulesReview for namespace {@code ns}, as kubectl auth can-i --list sends it. */
  static byte[] rulesReview(String ns) {
    return body(
        "authorization.k8s.io/v1",
        "SelfSubjectRulesReview",
        V1Authorization.SelfSubjectRulesReview.newBuilder()
            .setMetadata(Meta.ObjectMeta.newBuilder().setName("").setGeneration(0))
            .setSpec(V1Authorization.SelfSubjectRulesReviewSpec.newBuilder().setNamespace(ns))
            .setStatus(V1Authorization.SubjectRulesReviewStatus.getDefaultInstance())
            .build());
  }

  /**
   * ObjectMeta as client-go writes it: every field that is not a pointer in Go, empty or not (an
   * empty creationTimestamp for the zero time).
   */
  static Meta.ObjectMeta.Builder meta(String name, String namespace) {
    return Meta.ObjectMeta.newBuilder()
        .setName(name)
        .setGenerateName("")
        .setNamespace(namespace)
        .setSelfLink("")
        .setUid("")
        .setResourceVersion("")
        .setGeneration(0)
        .setCreationTimestamp(Meta.Time.getDefaultInstance());
  }

  /** A release Secret as Helm 3 writes it (storage driver secret). */
  static V1.Secret.Builder helmRelease(String name, String namespace, byte[] release) {
    return V1.Secret.newBuilder()
        .setMetadata(
            meta(name, namespace)
                .putLabels("owner", "helm")
                .putLabels("name", "mso")
                .putLabels("status", "deployed")
                .putLabels("version", "1"))
        .putData("release", ByteString.copyFrom(release))
        .setType("helm.sh/release.v1");
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void aHelmReleaseSecretIsReadWithItsLabelsBinaryDataAndTypeAndWithoutTheEmptyFields()
      throws Exception {
    byte[] release = {0x1f, (byte) 0x8b, 0, (byte) 0xff};
    byte[] body =
        body("v1", "Secret", helmRelease("sh.helm.release.v1.mso.v1", "apps", release).build());

    assertThat(Protobuf.object(body, "Secret"))
        .isEqualTo(
            json(
                """
                {"apiVersion":"v1","kind":"Secret",
                 "metadata":{"name":"sh.helm.release.v1.mso.v1","namespace":"apps",
                   "labels":{"owner":"helm","name":"mso","status":"deployed","version":"1"}},
                 "data":{"release":"H4sA/w=="},"type":"helm.sh/release.v1"}
                """));
  }

  @Test
  void aResourceVersionUidAndOwnerReferencesAreReadForAnUpdate() throws Exception {
    V1.Secret secret =
        helmRelease("r", "apps", new byte[] {1})
            .setMetadata(
                meta("r", "apps")
                    .setUid("0b5e")
                    .setResourceVersion("42")
                    .addOwnerReferences(
                        Meta.OwnerReference.newBuilder()
                            .setApiVersion("v1")
                            .setKind("ConfigMap")
                            .setName("owner")
                            .setUid("77")
                            .setController(false))
                    .addFinalizers("keep"))
            .build();

    JsonNode meta = Protobuf.object(body("v1", "Secret", secret), "Secret").path("metadata");

    assertThat(meta)
        .isEqualTo(
            json(
                """
                {"name":"r","namespace":"apps","uid":"0b5e","resourceVersion":"42",
                 "ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":"77",
                   "controller":false}],
                 "finalizers":["keep"]}
                """));
  }

  @Test
  void immutableFalseIsKeptAndAnAbsentImmutableStaysAbsent() {
    V1.Secret.Builder secret = helmRelease("r", "apps", new byte[0]);

    assertThat(Protobuf.object(body("v1", "Secret", secret.build()), "Secret").has("immutable"))
        .isFalse();
    assertThat(
            Protobuf.object(body("v1", "Secret", secret.setImmutable(false).build()), "Secret")
                .get("immutable"))
        .isEqualTo(JSON.getNodeFactory().booleanNode(false));
  }

  @Test
  void timesAreRfc3339InSecondsAndMicroTimesInMicroseconds() throws Exception {
    Meta.ObjectMeta meta =
        meta("t", "")
            .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(1714564800).setNanos(5000))
            .addManagedFields(
                Meta.ManagedFieldsEntry.newBuilder()
                    .setManager("helm")
                    .setOperation("Update")
                    .setTime(Meta.Time.newBuilder().setSeconds(1714564801))
                    .setFieldsType("FieldsV1")
                    .setFieldsV1(
                        Meta.FieldsV1.newBuilder()
                            .setRaw(ByteString.copyFromUtf8("{\"f:data\":{\".\":{}}}"))))
            .build();
    V1.Event event =
        V1.Event.newBuilder()
            .setEventTime(Meta.MicroTime.newBuilder().setSeconds(1714564800).setNanos(123456000))
            .build();

    assertThat(dynamicJson(meta))
        .isEqualTo(
            json(
                """
                {"name":"t","creationTimestamp":"2024-05-01T12:00:00Z",
                 "managedFields":[{"manager":"helm","operation":"Update",
                   "time":"2024-05-01T12:00:01Z","fieldsType":"FieldsV1",
                   "fieldsV1":{"f:data":{".":{}}}}]}
                """));
    assertThat(dynamicJson(event).path("eventTime").asText())
        .isEqualTo("2024-05-01T12:00:00.123456Z");
  }

  @Test
  void intOrStringAndQuantityAreTheirJsonScalars() throws Exception {
    V1.ServicePort byName =
        V1.ServicePort.newBuilder()
            .setPort(80)
            .setTargetPort(IntStr.IntOrString.newBuilder().setType(1).setStrVal("http"))
            .build();
    V1.ServicePort byNumber =
        V1.ServicePort.newBuilder()
            .setPort(80)
            .setTargetPort(IntStr.IntOrString.newBuilder().setType(0).setIntVal(8080))
            .build();
    V1.ResourceRequirements limits =
        V1.ResourceRequirements.newBuilder()
            .putLimits("memory", Resource.Quantity.newBuilder().setString("128Mi").build())
            .build();

    assertThat(dynamicJson(byName)).isEqualTo(json("{\"port\":80,\"targetPort\":\"http\"}"));
    assertThat(dynamicJson(byNumber)).isEqualTo(json("{\"port\":80,\"targetPort\":8080}"));
    assertThat(dynamicJson(limits)).isEqualTo(json("{\"limits\":{\"memory\":\"128Mi\"}}"));
  }

  /** A message of any kind as the reader makes it JSON, parsed from its bytes as a body is. */
  private static JsonNode dynamicJson(Message m) throws Exception {
    return Protobuf.toJson(DynamicMessage.parseFrom(m.getDescriptorForType(), m.toByteString()));
  }

  @Test
  void aConfigMapAndANamespaceAreRead() throws Exception {
    V1.ConfigMap cm =
        V1.ConfigMap.newBuilder()
            .setMetadata(meta("settings", "apps"))
            .putData("mode", "")
            .putBinaryData("blob", ByteString.copyFrom(new byte[] {0, 1}))
            .setImmutable(true)
            .build();
    V1.Namespace ns =
        V1.Namespace.newBuilder()
            .setMetadata(meta("team-x", ""))
            .setSpec(V1.NamespaceSpec.newBuilder().addFinalizers("kubernetes"))
            .setStatus(V1.NamespaceStatus.getDefaultInstance())
            .build();

    assertThat(Protobuf.object(body("v1", "ConfigMap", cm), "ConfigMap"))
        .isEqualTo(
            json(
                """
                {"apiVersion":"v1","kind":"ConfigMap",
                 "metadata":{"name":"settings","namespace":"apps"},"immutable":true,
                 "data":{"mode":""},"binaryData":{"blob":"AAE="}}
                """));
    assertThat(Protobuf.object(body("v1", "Namespace", ns), "Namespace"))
        .isEqualTo(
            json(
                """
                {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-x"},
                 "spec":{"finalizers":["kubernetes"]},"status":{}}
                """));
  }

  @Test
  void deleteOptionsAreReadWithTheirPreconditionsAndDryRunInAnyGroupVersion() throws Exception {
    Meta.DeleteOptions options =
        Meta.DeleteOptions.newBuilder()
            .setPreconditions(Meta.Preconditions.newBuilder().setUid("u-1").setResourceVersion("9"))
            .addDryRun("All")
            .setPropagationPolicy("Background")
            .build();

    assertThat(Protobuf.object(body("v1", "DeleteOptions", options), "DeleteOptions"))
        .isEqualTo(
            json(
                """
                {"apiVersion":"v1","kind":"DeleteOptions",
                 "preconditions":{"uid":"u-1","resourceVersion":"9"},
                 "propagationPolicy":"Background","dryRun":["All"]}
                """));
    assertThat(
            Protobuf.object(body("meta.k8s.io/v1", "DeleteOptions", options), "DeleteOptions")
                .path("apiVersion")
                .asText())
        .isEqualTo("meta.k8s.io/v1");
  }

  @Test
  void aTokenRequestIsReadAsKubectlCreateTokenSendsIt() throws Exception {
    V1Authentication.TokenRequest request =
        V1Authentication.TokenRequest.newBuilder()
            .setMetadata(meta("app", "apps"))
            .setSpec(
                V1Authentication.TokenRequestSpec.newBuilder()
                    .addAudiences("aud-1")
                    .addAudiences("aud-2")
                    .setBoundObjectRef(
                        V1Authentication.BoundObjectReference.newBuilder()
                            .setKind("Pod")
                            .setApiVersion("v1")
                            .setName("app-0")
                            .setUID("pod-uid"))
                    .setExpirationSeconds(900))
            .setStatus(V1Authentication.TokenRequestStatus.getDefaultInstance())
            .build();

    assertThat(
            Protobuf.object(
                body("authentication.k8s.io/v1", "TokenRequest", request), "TokenRequest"))
        .isEqualTo(
            json(
                """
                {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",
                 "metadata":{"name":"app","namespace":"apps"},
                 "spec":{"audiences":["aud-1","aud-2"],
                   "expirationSeconds":900,
                   "boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"app-0","uid":"pod-uid"}},
                 "status":{}}
                """));
  }

  @Test
  void aSubjectAccessReviewIsReadWithItsGroupsAndExtraAsLists() throws Exception {
    V1Authorization.SubjectAccessReview review =
        V1Authorization.SubjectAccessReview.newBuilder()
            .setSpec(
                V1Authorization.SubjectAccessReviewSpec.newBuilder()
                    .setResourceAttributes(
                        V1Authorization.ResourceAttributes.newBuilder()
                            .setNamespace("team-a")
                            .setVerb("get")
                            .setGroup("managedsecrets.dev")
                            .setResource("managedsecrets")
                            .setSubresource("value")
                            .setName("db"))
                    .setUser("alice")
                    .addGroups("devs")
                    .addGroups("ops")
                    .putExtra(
                        "scopes",
                        V1Authorization.ExtraValue.newBuilder()
                            .addItems("a")
                            .addItems("b")
                            .build()))
            .build();

    assertThat(
            Protobuf.object(
                    body("authorization.k8s.io/v1", "SubjectAccessReview", review),
                    "SubjectAccessReview")
                .path("spec"))
        .isEqualTo(
            json(
                """
                {"resourceAttributes":{"namespace":"team-a","verb":"get",
                   "group":"managedsecrets.dev","resource":"managedsecrets",
                   "subresource":"value","name":"db"},
                 "user":"alice","groups":["devs","ops"],"extra":{"scopes":["a","b"]}}
                """));
  }

  @Test
  void aBodyThatDeclaresNoTypeIsTakenForTheKindExpected() {
    byte[] body = body("", "", V1.Secret.newBuilder().setType("Opaque").build());

    assertThat(Protobuf.object(body, "Secret").path("kind").asText()).isEqualTo("Secret");
  }

  @Test
  void aKindNotOnTheAllowListIsAnUnsupportedMediaType() {
    byte[] pod = body("v1", "Pod", V1.Pod.newBuilder().setMetadata(meta("p", "apps")).build());

    assertThatThrownBy(() -> Protobuf.object(pod, "Secret"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code).isEqualTo(415);
              assertThat(e.getMessage()).contains("not for Pod");
            });
  }

  @Test
  void aServedKindOtherThanTheOneExpectedOrInAnotherVersionIsABadRequest() {
    byte[] configMap = body("v1", "ConfigMap", V1.ConfigMap.getDefaultInstance());
    byte[] secretInApps = body("apps/v1", "Secret", V1.Secret.getDefaultInstance());

    assertThatThrownBy(() -> Protobuf.object(configMap, "Secret"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code).isEqualTo(400);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "the kind in the data (ConfigMap) does not match the expected kind (Secret)");
            });
    assertThatThrownBy(() -> Protobuf.object(secretInApps, "Secret"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.getMessage())
                    .isEqualTo(
                        "the API version in the data (apps/v1) does not match the expected API"
                            + " version (v1)"));
  }

  @Test
  void aBodyWithoutTheMagicPrefixOrCutShortIsABadRequest() {
    byte[] whole = body("v1", "Secret", helmRelease("r", "apps", new byte[64]).build());

    for (byte[] bad :
        List.of(
            "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            Arrays.copyOf(whole, whole.length - 12),
            Arrays.copyOf(whole, 20))) {
      assertThatThrownBy(() -> Protobuf.object(bad, "Secret"))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code).isEqualTo(400));
    }
  }

  @Test
  void everyFieldOfTheServedKindsIsReadUnderTheJsonNameOfFabric8sModel() {
    Map<Descriptor, Class<?>> served =
        Map.ofEntries(
            Map.entry(V1.Secret.getDescriptor(), io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry(
                V1.ConfigMap.getDescriptor(), io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry(
                V1.Namespace.getDescriptor(), io.fabric8.kubernetes.api.model.Namespace.class),
            Map.entry(
                Meta.DeleteOptions.getDescriptor(),
                io.fabric8.kubernetes.api.model.DeleteOptions.class),
            Map.entry(
                V1Authentication.TokenRequest.getDescriptor(),
                io.fabric8.kubernetes.api.model.authentication.TokenRequest.class),
            Map.entry(
                V1Authentication.TokenReview.getDescriptor(),
                io.fabric8.kubernetes.api.model.authentication.TokenReview.class),
            Map.entry(
                V1Authentication.SelfSubjectReview.getDescriptor(),
                io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview.class),
            Map.entry(
                V1Authorization.SubjectAccessReview.getDescriptor(),
                io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview.class),
            Map.entry(
                V1Authorization.LocalSubjectAccessReview.getDescriptor(),
                io.fabric8.kubernetes.api.model.authorization.v1.LocalSubjectAccessReview.class),
            Map.entry(
                V1Authorization.SelfSubjectAccessReview.getDescriptor(),
                io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview.class),
            Map.entry(
                V1Authorization.SelfSubjectRulesReview.getDescriptor(),
                io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview.class));
    List<String> missing = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    served.forEach((d, c) -> compare(d, JSON.constructType(c), missing, seen));
    assertThat(seen).hasSizeGreaterThan(20);
    assertThat(missing).as("fields whose JSON name fabric8's model does not have").isEmpty();
  }

  /** Types that are JSON scalars or lists, not objects: nothing to compare inside. */
  private static final Set<String> SPECIAL =
      Set.of(
          "Time", "MicroTime", "IntOrString", "Quantity", "RawExtension", "FieldsV1", "ExtraValue");

  private static void compare(Descriptor d, JavaType type, List<String> missing, Set<String> seen) {
    if (SPECIAL.contains(d.getName()) || !seen.add(d.getFullName())) {
      return;
    }
    Map<String, JavaType> properties = new java.util.HashMap<>();
    for (BeanPropertyDefinition p :
        JSON.getSerializationConfig().introspect(type).findProperties()) {
      properties.put(p.getName(), p.getPrimaryType());
    }
    for (FieldDescriptor f : d.getFields()) {
      String name = Protobuf.jsonName(f);
      JavaType property = properties.get(name);
      if (property == null) {
        missing.add(d.getName() + "." + name);
        continue;
      }
      FieldDescriptor value = f.isMapField() ? f.getMessageType().findFieldByNumber(2) : f;
      if (value.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        JavaType content = property.isContainerType() ? property.getContentType() : property;
        compare(value.getMessageType(), content, missing, seen);
      }
    }
  }

  @Test
  void nothingIsLoggedByProtobufWhileReadingButTheGeneratedParserWouldWarn() throws Exception {
    List<LogRecord> logged = new ArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger protobuf = Logger.getLogger("com.google.protobuf");
    protobuf.addHandler(handler);
    protobuf.setUseParentHandlers(false);
    try {
      Protobuf.object(
          body("v1", "Secret", helmRelease("r", "apps", new byte[] {1}).build()), "Secret");
      Protobuf.object(
          body("v1", "ConfigMap", V1.ConfigMap.newBuilder().putData("a", "b").build()),
          "ConfigMap");
      Protobuf.object(
          body("v1", "Namespace", V1.Namespace.newBuilder().setMetadata(meta("n", "")).build()),
          "Namespace");
      Protobuf.object(
          body("v1", "DeleteOptions", Meta.DeleteOptions.newBuilder().addDryRun("All").build()),
          "DeleteOptions");
      Protobuf.object(rulesReview("team-a"), "SelfSubjectRulesReview");
      assertThat(logged).as("records of com.google.protobuf while reading").isEmpty();

      // The control: the generated parser of a type not read above warns (once per type).
      V1.LimitRange.parseFrom(new byte[0]);
      assertThat(logged)
          .extracting(LogRecord::getMessage)
          .anySatisfy(m -> assertThat(m).contains("Vulnerable protobuf generated type"));
    } finally {
      protobuf.removeHandler(handler);
      protobuf.setUseParentHandlers(true);
    }
  }
}
