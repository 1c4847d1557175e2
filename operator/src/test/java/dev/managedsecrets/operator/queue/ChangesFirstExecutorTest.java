package dev.managedsecrets.operator.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.operator.reconcile.ManagedSecretReconciler;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceAction;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChangesFirstExecutorTest {

  private final ChangesFirstExecutor executor = new ChangesFirstExecutor(1);
  private final Metrics hook = executor.dispatchHook();
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    executor.shutdown();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aChangeAskedForDuringABurstOfChecksStartsBeforeThemAndEachClassKeepsItsOrder()
      throws Exception {
    blockTheOnlyThread();
    for (int i = 0; i < 5; i++) {
      dispatch(upToDate("steady-" + i), "check-" + i);
    }
    dispatch(changed("edited"), "change-1");
    dispatch(upToDate("steady-5"), "check-5");
    dispatch(changed("edited-too"), "change-2");
    assertThat(executor.queuedChanges()).isEqualTo(2);
    assertThat(executor.queuedChecks()).isEqualTo(6);

    release.countDown();
    drain();
    assertThat(ran)
        .containsExactly(
            "change-1",
            "change-2",
            "check-0",
            "check-1",
            "check-2",
            "check-3",
            "check-4",
            "check-5");
    assertThat(executor.queuedChanges()).isZero();
    assertThat(executor.queuedChecks()).isZero();
    assertThat(executor.askedChanges()).isEqualTo(3); // the blocking task counts as a change
    assertThat(executor.askedChecks()).isEqualTo(6);
  }

  @Test
  void aChangeToAnObjectWhoseCheckIsAlreadyQueuedMovesThatCheckAmongTheChanges() throws Exception {
    blockTheOnlyThread();
    dispatch(upToDate("a"), "check-a");
    dispatch(upToDate("b"), "check-b");
    dispatch(upToDate("c"), "check-c");
    // c is edited while its check waits: java-operator-sdk asks for no second reconcile of it,
    // it only tells that it received the event.
    ManagedSecret edited = changed("c");
    hook.receivedEvent(
        new ResourceEvent(ResourceAction.UPDATED, ResourceID.fromResource(edited), edited),
        Map.of());
    // an event of an object already up to date moves nothing
    ManagedSecret touched = upToDate("b");
    hook.receivedEvent(
        new ResourceEvent(ResourceAction.UPDATED, ResourceID.fromResource(touched), touched),
        Map.of());
    assertThat(executor.queuedChanges()).isEqualTo(1);
    assertThat(executor.queuedChecks()).isEqualTo(2);

    release.countDown();
    drain();
    assertThat(ran).containsExactly("check-c", "check-a", "check-b");
    assertThat(executor.promotedChecks()).isEqualTo(1);
  }

  @Test
  void aChangeEventOfAnObjectWithNothingQueuedMovesNothing() throws Exception {
    blockTheOnlyThread();
    dispatch(upToDate("a"), "check-a");
    ManagedSecret edited = changed("z");
    hook.receivedEvent(
        new ResourceEvent(ResourceAction.UPDATED, ResourceID.fromResource(edited), edited),
        Map.of());
    release.countDown();
    drain();
    assertThat(ran).containsExactly("check-a");
    assertThat(executor.promotedChecks()).isZero();
  }

  @Test
  void aQuarterOfTheThreadsRunChecksAtMostAndAChangeStillGetsAThreadDuringABurst()
      throws Exception {
    ChangesFirstExecutor four = new ChangesFirstExecutor(4);
    Metrics fourHook = four.dispatchHook();
    assertThat(ChangesFirstExecutor.checkThreads(4)).isEqualTo(1);
    assertThat(ChangesFirstExecutor.checkThreads(20)).isEqualTo(5);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch checksGo = new CountDownLatch(1);
    CountDownLatch changeRan = new CountDownLatch(1);
    try {
      for (int i = 0; i < 3; i++) {
        fourHook.reconcileCustomResource(upToDate("steady-" + i), null, Map.of());
        four.execute(
            () -> {
              most.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                checksGo.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              running.decrementAndGet();
            });
      }
      fourHook.reconcileCustomResource(changed("edited"), null, Map.of());
      four.execute(changeRan::countDown);
      assertThat(changeRan.await(10, TimeUnit.SECONDS))
          .as("the change ran while checks held their threads")
          .isTrue();
      assertThat(most.get()).isEqualTo(1);
    } finally {
      checksGo.countDown();
      four.shutdown();
      assertThat(four.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(most.get()).as("checks never ran side by side").isEqualTo(1);
  }

  @Test
  void aTaskTheHookDidNotRankIsNeverDelayedBehindChecks() throws Exception {
    blockTheOnlyThread();
    dispatch(upToDate("steady"), "check");
    executor.execute(() -> ran.add("unranked"));
    release.countDown();
    drain();
    assertThat(ran).containsExactly("unranked", "check");
  }

  @Test
  void aRankIsUsedOnceSoTheNextSubmissionOnTheThreadIsNotMistakenForACheck() throws Exception {
    blockTheOnlyThread();
    dispatch(upToDate("steady"), "check");
    executor.execute(() -> ran.add("next, unranked"));
    release.countDown();
    drain();
    assertThat(ran).containsExactly("next, unranked", "check");
  }

  @Test
  void submittedCallablesRunAndAnswerThroughTheRankedQueue() throws Exception {
    Future<String> answer = executor.submit(() -> "answered");
    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("answered");
  }

  private void blockTheOnlyThread() throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    executor.execute(
        () -> {
          started.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private void dispatch(ManagedSecret resource, String name) {
    hook.reconcileCustomResource(resource, null, Map.of());
    executor.execute(() -> ran.add(name));
  }

  /** Shutting down runs everything queued, then ends. */
  private void drain() throws InterruptedException {
    executor.shutdown();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  static ManagedSecret upToDate(String name) {
    return withGenerations(name, 1L, 1L);
  }

  static ManagedSecret changed(String name) {
    return withGenerations(name, 2L, 1L);
  }

  private static ManagedSecret withGenerations(String name, long generation, long observed) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team")
            .withName(name)
            .withGeneration(generation)
            .withFinalizers(ManagedSecretReconciler.FINALIZER)
            .build());
    ms.setStatus(new ManagedSecretStatus());
    ms.getStatus().observedGeneration = observed;
    return ms;
  }
}
