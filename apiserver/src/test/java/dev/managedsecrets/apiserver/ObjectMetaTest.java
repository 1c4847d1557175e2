package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.Test;

/** Metadata as the API server stores it, whatever a write sent. */
class ObjectMetaTest {

  @Test
  void removingTheLastAnnotationOrLabelLeavesNoEmptyMapAsKubectlDiffExpects() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      client
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("cm")
                  .withNamespace("default")
                  .addToAnnotations("a", "1")
                  .addToLabels("l", "1")
                  .endMetadata()
                  .build())
          .create();
      client
          .configMaps()
          .inNamespace("default")
          .withName("cm")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"annotations\":{\"a\":null},\"labels\":{\"l\":null}}}");
      // As stored, not through fabric8's model (which leaves empty maps out when it writes).
      String stored = client.raw(api.url() + "/api/v1/namespaces/default/configmaps/cm");
      JsonNode meta = new ObjectMapper().readTree(stored).path("metadata");
      assertThat(meta.has("annotations")).as("%s", meta).isFalse();
      assertThat(meta.has("labels")).as("%s", meta).isFalse();
    }
  }
}
