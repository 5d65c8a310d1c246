package dev.atelier.kernels;

import java.util.ArrayDeque;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What clients send while their kernel is being started again, kept in order up to a byte limit
 * and sent once it is ready, so a cell run just after a death runs in the restarted kernel (ZeroMQ
 * would deliver it as soon as the kernel's shell socket is back, possibly before its iopub is
 * joined, losing the cell's output). Used only on the kernel's I/O thread.
 */
final class HeldMessages {
  private static final Logger LOG = LoggerFactory.getLogger(HeldMessages.class);

  private record Held(ClientSession session, WireMessage message) {}

  private final String kernelId;
  private final long limit;
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private long bytes;

  HeldMessages(String kernelId, long limit) {
    this.kernelId = kernelId;
    this.limit = limit;
  }

  void add(ClientSession session, WireMessage m) {
    if (bytes + m.size() > limit) {
      LOG.warn("kernel {} is restarting and {} bytes of client messages wait already: dropped a {}", kernelId,
          bytes, m.msgType());
      return;
    }
    held.add(new Held(session, m));
    bytes += m.size();
  }

  /** Hands every kept message over, oldest first, and forgets them. */
  void drain(BiConsumer<ClientSession, WireMessage> send) {
    while (!held.isEmpty()) {
      Held h = held.poll();
      send.accept(h.session(), h.message());
    }
    bytes = 0;
  }

  void clear() {
    held.clear();
    bytes = 0;
  }
}
