package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SecretTag;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the store keeps of a deleted spec, counted as Kubernetes counts characters (code points):
 * whatever the schema admits is kept; what is past a bound is left out, never refused, so that a
 * deletion never fails on it.
 */
class KeptSpecFieldsTest {

  static final String EMOJI = "\uD83D\uDD11"; // one character, two UTF-16 units

  @Test
  void aDescriptionAndTagsAtTheSchemasBoundInCharactersAreKept() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.description = EMOJI.repeat(2048);
    spec.tags = List.of(new Tag(EMOJI.repeat(128), EMOJI.repeat(256)));

    KeptMetadata kept = KeptSpecFields.of(spec);

    assertThat(kept.description()).isEqualTo(spec.description);
    assertThat(kept.tags()).containsExactly(new SecretTag(EMOJI.repeat(128), EMOJI.repeat(256)));
    ManagedSecretSpec back = KeptSpecFields.spec(kept);
    assertThat(back.description).isEqualTo(spec.description);
    assertThat(back.tags).extracting(t -> t.key).containsExactly(EMOJI.repeat(128));
  }

  @Test
  void whatIsPastABoundIsLeftOutWithoutFailing() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.description = "x".repeat(2049);
    List<Tag> tags = new ArrayList<>();
    tags.add(new Tag("", "empty key"));
    tags.add(new Tag("k", "v".repeat(257)));
    tags.add(null);
    for (int i = 0; i < 60; i++) {
      tags.add(new Tag("t" + i, ""));
    }
    spec.tags = tags;

    KeptMetadata kept = KeptSpecFields.of(spec);

    assertThat(kept.description()).isNull();
    assertThat(kept.tags()).hasSize(50);
    assertThat(kept.tags().get(0)).isEqualTo(new SecretTag("t0", ""));
  }
}
