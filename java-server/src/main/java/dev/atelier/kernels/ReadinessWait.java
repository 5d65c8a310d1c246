package dev.atelier.kernels;

import dev.atelier.runtime.ZmqLoop;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A kernel connection's wait for a started or restarted kernel to be ready: one
 * {@code kernel_info_request} must have both its reply on shell and its idle status on iopub, so
 * iopub is flowing and the last state reported is idle. Until then a request goes out every 0.5 s
 * (the slow-joiner nudge). Runs on the connection's I/O thread only.
 */
final class ReadinessWait {
  private static final long NUDGE_MILLIS = 500;
  /**
   * Once the kernel answers a nudge whose idle status did not come (iopub was still joining), the
   * next nudge goes this soon instead of after a whole NUDGE_MILLIS.
   */
  private static final long RENUDGE_MILLIS = 20;
  /** Quick nudges per wait at most; the 0.5 s ones go on regardless. */
  private static final int MAX_RENUDGES = 50;

  private final ZmqLoop loop;
  private final Runnable sendNudge;
  private final BooleanSupplier closed;
  private final Runnable onReady;
  /** Nudges of the current wait that got their reply, and those whose idle status arrived. */
  private final Set<String> replied = new HashSet<>();
  private final Set<String> idle = new HashSet<>();
  private CompletableFuture<Void> waiter;

  /**
   * @param sendNudge sends one {@code kernel_info_request} on the gateway's shell socket
   * @param closed whether the connection is closed (nudging stops)
   * @param onReady runs once the kernel is ready, before the wait completes
   */
  ReadinessWait(ZmqLoop loop, Runnable sendNudge, BooleanSupplier closed, Runnable onReady) {
    this.loop = loop;
    this.sendNudge = sendNudge;
    this.closed = closed;
    this.onReady = onReady;
  }

  /** Starts a wait that {@code ready} completes; a wait under way is superseded. */
  void begin(CompletableFuture<Void> ready) {
    replied.clear();
    idle.clear();
    waiter = ready;
    nudge(ready);
  }

  private void nudge(CompletableFuture<Void> ready) {
    if (ready.isDone() || closed.getAsBoolean()) {
      return;
    }
    sendNudge.run();
    loop.schedule(NUDGE_MILLIS, () -> nudge(ready));
  }

  /** A message on the gateway's own shell or control socket. */
  void onReply(WireMessage m) {
    String nudge = waiter != null && "kernel_info_reply".equals(m.msgType()) ? parentMsgId(m) : null;
    if (nudge == null) {
      return;
    }
    replied.add(nudge);
    checkReady();
    CompletableFuture<Void> waiting = waiter;
    if (waiting != null) {
      loop.schedule(RENUDGE_MILLIS, () -> {
        if (!waiting.isDone() && !closed.getAsBoolean() && replied.size() < MAX_RENUDGES) {
          sendNudge.run();
        }
      });
    }
  }

  /** An iopub status with its execution state (null when it has none). */
  void onStatus(WireMessage m, String state) {
    String nudge = waiter != null && "idle".equals(state) ? parentMsgId(m) : null;
    if (nudge != null) {
      idle.add(nudge);
      checkReady();
    }
  }

  /** The connection closed: the wait under way fails with the reason. */
  void fail(String why) {
    if (waiter != null) {
      waiter.completeExceptionally(new IllegalStateException(why));
    }
  }

  /** The msg_id of the request a message answers, or null. */
  private static String parentMsgId(WireMessage m) {
    String[] parent = WireCodec.headerIdAndType(m.parentHeader());
    return parent == null ? null : parent[0];
  }

  private void checkReady() {
    if (waiter != null && replied.stream().anyMatch(idle::contains)) {
      CompletableFuture<Void> w = waiter;
      waiter = null;
      replied.clear();
      idle.clear();
      onReady.run();
      w.complete(null);
    }
  }
}
