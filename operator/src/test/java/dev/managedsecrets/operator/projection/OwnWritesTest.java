package dev.managedsecrets.operator.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.projection.Projection;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OwnWritesTest {

  final OwnWrites own = new OwnWrites();

  static Secret projected(String namespace, String name, String checksum) {
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .addToAnnotations(Projection.CHECKSUM_ANNOTATION, checksum)
        .endMetadata()
        .build();
  }

  @Test
  void anEventOfTheSecretBeingWrittenIsOwnOnlyWhileTheWriteIsInFlight() {
    Secret desired = projected("team-a", "db", "c1");
    AtomicBoolean seenDuring = new AtomicBoolean();
    String answer =
        own.write(
            desired,
            () -> {
              // The watch event arrives before the write's own answer.
              seenDuring.set(own.isOwn(projected("team-a", "db", "c1")));
              return "written";
            });
    assertThat(answer).isEqualTo("written");
    assertThat(seenDuring).isTrue();
    assertThat(own.isOwn(projected("team-a", "db", "c1"))).isFalse();
  }

  @Test
  void anotherContentOrAnotherSecretIsAChangeToActOn() {
    own.write(
        projected("team-a", "db", "c1"),
        () -> {
          // Someone else's content under the same name, or the same content elsewhere.
          assertThat(own.isOwn(projected("team-a", "db", "tampered"))).isFalse();
          assertThat(own.isOwn(projected("team-b", "db", "c1"))).isFalse();
          assertThat(own.isOwn(projected("team-a", "other", "c1"))).isFalse();
          assertThat(
                  own.isOwn(
                      new SecretBuilder(projected("team-a", "db", "x"))
                          .editMetadata()
                          .withAnnotations(null)
                          .endMetadata()
                          .build()))
              .isFalse();
          return null;
        });
  }

  @Test
  void aFailedWriteIsNoLongerInFlight() {
    try {
      own.write(
          projected("team-a", "db", "c1"),
          () -> {
            throw new IllegalStateException("refused");
          });
    } catch (IllegalStateException expected) {
      // the write failed
    }
    assertThat(own.isOwn(projected("team-a", "db", "c1"))).isFalse();
  }
}
