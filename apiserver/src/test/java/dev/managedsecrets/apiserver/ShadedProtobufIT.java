package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Authentication;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar keeps only some of client-java-proto's API groups (the shade filter in the parent
 * pom): every kind {@link Protobuf} reads still loads its descriptors from that jar alone.
 */
class ShadedProtobufIT {

  @Test
  void theShadedJarReadsEveryServedKindWithTheApiGroupsItKeeps() throws Exception {
    try (JarFile jar = new JarFile(RunAloneIT.JAR.toFile())) {
      assertThat(jar.getEntry("io/kubernetes/client/proto/V1.class")).isNotNull();
      assertThat(jar.getEntry("io/kubernetes/client/proto/V1Apps.class"))
          .as("an API group the server does not read is left out")
          .isNull();
    }
    Map<String, byte[]> bodies =
        Map.of(
            "Secret",
            ProtobufTest.body(
                "v1", "Secret", ProtobufTest.helmRelease("r", "ns", new byte[] {1}).build()),
            "ConfigMap",
            ProtobufTest.body(
                "v1", "ConfigMap", V1.ConfigMap.newBuilder().putData("a", "b").build()),
            "Namespace",
            ProtobufTest.body(
                "v1",
                "Namespace",
                V1.Namespace.newBuilder().setMetadata(ProtobufTest.meta("n", "")).build()),
            "DeleteOptions",
            ProtobufTest.body(
                "v1", "DeleteOptions", Meta.DeleteOptions.newBuilder().addDryRun("All").build()),
            "TokenRequest",
            ProtobufTest.body(
                "authentication.k8s.io/v1",
                "TokenRequest",
                V1Authentication.TokenRequest.newBuilder()
                    .setSpec(V1Authentication.TokenRequestSpec.newBuilder().addAudiences("a"))
                    .build()),
            "SelfSubjectRulesReview",
            ProtobufTest.rulesReview("team-a"));
    try (URLClassLoader shaded =
        new URLClassLoader(
            new URL[] {RunAloneIT.JAR.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Method object =
          shaded
              .loadClass("dev.managedsecrets.apiserver.Protobuf")
              .getDeclaredMethod("object", byte[].class, String.class);
      object.setAccessible(true);
      for (Map.Entry<String, byte[]> e : bodies.entrySet()) {
        String json;
        try {
          json = object.invoke(null, e.getValue(), e.getKey()).toString();
        } catch (InvocationTargetException failed) {
          throw new AssertionError(e.getKey() + " not read", failed.getCause());
        }
        assertThat(json).as(e.getKey()).contains("\"kind\":\"" + e.getKey() + "\"");
      }
    }
  }
}
