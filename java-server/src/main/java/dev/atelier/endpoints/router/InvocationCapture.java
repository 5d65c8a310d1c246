package dev.atelier.endpoints.router;

import java.time.Instant;

/**
 * What the router hands to data capture. {@link #sample} is asked once per invocation, on the event
 * loop, before the body is sent: only when it says yes does the router keep a copy of the answer's
 * bytes (up to the 6 MB limit) and call {@link #captured} once the answer is out. Both calls must
 * be cheap and never block; a capture that cannot keep up drops, it never slows an invocation.
 */
public interface InvocationCapture {
  /** No capture: the router keeps no copy. */
  InvocationCapture NONE = new InvocationCapture() {
    @Override
    public boolean sample(String endpoint) {
      return false;
    }

    @Override
    public void captured(Captured invocation) {}
  };

  /** Whether this invocation of the endpoint is to be captured (capture on, and the sample drawn). */
  boolean sample(String endpoint);

  /** One answered invocation that {@link #sample} chose. */
  void captured(Captured invocation);

  /**
   * One invocation as captured.
   *
   * @param inferenceId the caller's {@code X-Amzn-SageMaker-Inference-Id}, or null
   * @param time when the invocation arrived
   */
  record Captured(String endpoint, String variant, String inferenceId, String requestContentType, byte[] request,
      String responseContentType, byte[] response, Instant time) {}
}
