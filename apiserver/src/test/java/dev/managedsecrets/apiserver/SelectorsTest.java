package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SelectorsTest {

  private static JsonNode object(String labels) throws Exception {
    return new ObjectMapper()
        .readTree("{\"type\":\"Opaque\",\"metadata\":{\"name\":\"n\",\"labels\":" + labels + "}}");
  }

  @Test
  void labelSelectorsSupportEqualitySetsAndExistence() throws Exception {
    JsonNode blue = object("{\"colour\":\"blue\",\"tier\":\"web\"}");
    JsonNode none = object("{}");
    assertThat(Selectors.labels("colour=blue,tier==web").test(blue)).isTrue();
    assertThat(Selectors.labels("colour!=blue").test(blue)).isFalse();
    assertThat(Selectors.labels("colour!=blue").test(none)).isTrue();
    assertThat(Selectors.labels("colour in (red, blue)").test(blue)).isTrue();
    assertThat(Selectors.labels("colour in (red)").test(blue)).isFalse();
    assertThat(Selectors.labels("colour notin (blue)").test(blue)).isFalse();
    assertThat(Selectors.labels("colour notin (blue)").test(none)).isTrue();
    assertThat(Selectors.labels("colour").test(blue)).isTrue();
    assertThat(Selectors.labels("!colour").test(blue)).isFalse();
    assertThat(Selectors.labels("!colour").test(none)).isTrue();
    assertThat(Selectors.labels("colour in (blue,red),!missing,tier").test(blue)).isTrue();
  }

  @Test
  void fieldSelectorsReadAnyDottedField() throws Exception {
    JsonNode secret = object("{}");
    assertThat(Selectors.fields("metadata.name=n,type=Opaque").test(secret)).isTrue();
    assertThat(Selectors.fields("type!=Opaque").test(secret)).isFalse();
    assertThat(Selectors.fields("involvedObject.name=n").test(secret)).isFalse();
  }
}
