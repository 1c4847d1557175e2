package dev.managedsecrets.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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

  @Test
  void aSlotGivenBackWakesTheFirstWaiterOfItsHostThenOfAHostWithRoom() {
    RotationSlots slots = new RotationSlots(2, 1);
    List<String> woken = new ArrayList<>();
    RotationSlots.Slot a = slots.tryTake("a.db", "a-1", () -> woken.add("a-1")).orElseThrow();
    assertThat(slots.tryTake("a.db", "a-2", () -> woken.add("a-2"))).isEmpty();
    assertThat(slots.tryTake("a.db", "a-3", () -> woken.add("a-3"))).isEmpty();
    assertThat(slots.tryTake("a.db", "a-2", () -> woken.add("a-2 again"))).isEmpty();
    RotationSlots.Slot b = slots.tryTake("b.db", "b-1", () -> woken.add("b-1")).orElseThrow();
    assertThat(slots.tryTake("c.db", "c-1", () -> woken.add("c-1"))).isEmpty(); // overall bound

    a.close();
    assertThat(woken).containsExactly("a-2"); // the first waiter of a.db, once
    RotationSlots.Slot a2 = slots.tryTake("a.db", "a-2", () -> woken.add("x")).orElseThrow();

    b.close();
    // b.db has no waiter; a.db is full; c.db has room now
    assertThat(woken).containsExactly("a-2", "c-1");
    a2.close();
    assertThat(woken).containsExactly("a-2", "c-1", "a-3");
    assertThat(slots.running()).isZero();
  }
}
