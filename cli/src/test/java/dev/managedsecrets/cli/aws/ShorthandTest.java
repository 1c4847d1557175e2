package dev.managedsecrets.cli.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.core.rotation.RotationRequests;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShorthandTest {

  private static List<String> pairs(List<Tag> tags) {
    return tags.stream().map(t -> t.key + "=" + t.value).toList();
  }

  @Test
  void tagsInShorthandOneStructurePerArgument() {
    assertThat(pairs(Shorthand.tags("--tags", List.of("Key=k,Value=v", "Key=k2,Value=v2"))))
        .containsExactly("k=v", "k2=v2");
  }

  @Test
  void tagsInJson() {
    assertThat(
            pairs(
                Shorthand.tags(
                    "--tags",
                    List.of("[{\"Key\":\"k\",\"Value\":\"v\"},{\"Key\":\"a b\",\"Value\":\"\"}]"))))
        .containsExactly("k=v", "a b=");
  }

  @Test
  void shorthandValuesMayBeQuotedEscapedOrEmpty() {
    assertThat(
            pairs(
                Shorthand.tags(
                    "--tags",
                    List.of("Key=a,Value=\"x,y\"", "Key=b,Value=1\\,2", "Key=c,Value=", "Key=d"))))
        .containsExactly("a=x,y", "b=1,2", "c=", "d=");
  }

  @Test
  void filtersTakeListsAsValuesWithCommasOrBrackets() {
    var f =
        Shorthand.filters(
            "--filters", List.of("Key=name,Values=prod/,dev/", "Key=tag-key,Values=[a,b]"));
    assertThat(f).extracting(Shorthand.Filter::key).containsExactly("name", "tag-key");
    assertThat(f.get(0).values()).containsExactly("prod/", "dev/");
    assertThat(f.get(1).values()).containsExactly("a", "b");
    var json =
        Shorthand.filters("--filters", List.of("[{\"Key\":\"name\",\"Values\":[\"prod/\"]}]"));
    assertThat(json.get(0).values()).containsExactly("prod/");
  }

  @Test
  void stringListsAreArgumentsOrOneJsonArray() {
    assertThat(Shorthand.strings("--tag-keys", List.of("a", "b c"))).containsExactly("a", "b c");
    assertThat(Shorthand.strings("--tag-keys", List.of("[\"a\",\"b\"]"))).containsExactly("a", "b");
  }

  @Test
  void unknownKeysAndBrokenJsonAreParameterErrors() {
    assertThatThrownBy(() -> Shorthand.tags("--tags", List.of("Key=k,Vale=v")))
        .isInstanceOf(CliException.class)
        .hasMessage(
            "Error parsing parameter '--tags': Unknown parameter \"Vale\", must be one of: Key,"
                + " Value")
        .extracting(e -> ((CliException) e).exitCode())
        .isEqualTo(252);
    assertThatThrownBy(() -> Shorthand.tags("--tags", List.of("[{\"Key\":")))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("Error parsing parameter '--tags': Invalid JSON:");
    assertThatThrownBy(() -> Shorthand.tags("--tags", List.of("team")))
        .hasMessageStartingWith("Error parsing parameter '--tags': Expected: '='");
  }

  @Test
  void replicaRegionsComeAsShorthandOrJsonWithAnOptionalKey() {
    List<ReplicaRegion> regions =
        Shorthand.replicaRegions(
            "--add-replica-regions",
            List.of("Region=eu-west-1,KmsKeyId=alias/eu", "Region=ap-south-1"));
    List<ReplicaRegion> json =
        Shorthand.replicaRegions(
            "--add-replica-regions",
            List.of("[{\"Region\":\"eu-west-1\"},{\"Region\":\"us-west-2\",\"KmsKeyId\":\"k\"}]"));

    assertThat(regions)
        .extracting(r -> r.region, r -> r.kmsKeyId)
        .containsExactly(tuple("eu-west-1", "alias/eu"), tuple("ap-south-1", null));
    assertThat(json)
        .extracting(r -> r.region, r -> r.kmsKeyId)
        .containsExactly(tuple("eu-west-1", null), tuple("us-west-2", "k"));
    assertThatThrownBy(
            () -> Shorthand.replicaRegions("--add-replica-regions", List.of("Regoin=eu-west-1")))
        .hasMessage(
            "Error parsing parameter '--add-replica-regions': Unknown parameter \"Regoin\", must"
                + " be one of: Region, KmsKeyId");
  }

  @Test
  void rotationRulesComeAsShorthandOrJsonAndAnExpressionWithCommasIsQuoted() {
    assertThat(Shorthand.rotationRules("--rotation-rules", "AutomaticallyAfterDays=30,Duration=2h"))
        .isEqualTo(new RotationRequests.Rules(30, null, "2h"));
    assertThat(
            Shorthand.rotationRules(
                "--rotation-rules", "ScheduleExpression=\"cron(0 4 1,15 * ? *)\""))
        .isEqualTo(new RotationRequests.Rules(null, "cron(0 4 1,15 * ? *)", null));
    assertThat(
            Shorthand.rotationRules(
                "--rotation-rules",
                "{\"ScheduleExpression\":\"rate(10 days)\",\"Duration\":\"3h\"}"))
        .isEqualTo(new RotationRequests.Rules(null, "rate(10 days)", "3h"));
    assertThatThrownBy(() -> Shorthand.rotationRules("--rotation-rules", "Days=3"))
        .hasMessageContaining("Unknown parameter \"Days\"");
    assertThatThrownBy(
            () -> Shorthand.rotationRules("--rotation-rules", "AutomaticallyAfterDays=often"))
        .hasMessageContaining("expected an integer");
  }
}
