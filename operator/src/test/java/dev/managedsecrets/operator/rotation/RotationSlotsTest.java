package dev.managedsecrets.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class RotationSlotsTest {

  @Test
  void atMostPerHostRotationsRunAgainstOneHostAndAtMostMaxOverall() {
    RotationSlots slots = new RotationSlots(3, 2);
    Optional<RotationSlots.Slot> a1 = slots.tryTake("a.db");
    Optional<RotationSlots.Slot> a2 = slots.tryTake("A.DB");
    assertThat(a1).isPresent();
    assertThat(a2).isPresent();
    assertThat(slots.tryTake("a.db")).isEmpty();
    Optional<RotationSlots.Slot> b1 = slots.tryTake("b.db");
    assertThat(b1).isPresent();
    assertThat(slots.tryTake("c.db")).isEmpty();
    assertThat(slots.running()).isEqualTo(3);

    a1.get().close();
    a1.get().close(); // once only
    assertThat(slots.running()).isEqualTo(2);
    assertThat(slots.tryTake("c.db")).isPresent();
    assertThat(slots.tryTake("a.db")).isEmpty();
  }
}
