package dev.atelier.kernels;

import dev.atelier.runtime.ZmqLoop;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A kernel connection's heartbeat: a ping every 0.5 s on the kernel's hb channel, and the owner
 * told once when no answer came for 2.5 s. Paused while the kernel starts, restarts or is dead.
 * Runs on the connection's I/O thread only.
 */
final class Heartbeat {
  private static final long INTERVAL_MILLIS = 500;
  private static final long STALE_NANOS = 2_500_000_000L;

  private final ZmqLoop loop;
  private final BooleanSupplier closed;
  private final Runnable onLost;
  private ZMQ.Socket socket;
  private long lastNanos;
  private boolean reported;
  private boolean paused = true;

  /**
   * @param closed whether the connection is closed (pings stop)
   * @param onLost runs once per silence
   */
  Heartbeat(ZmqLoop loop, BooleanSupplier closed, Runnable onLost) {
    this.loop = loop;
    this.closed = closed;
    this.onLost = onLost;
  }

  /** Connects to the kernel's hb endpoint and starts pinging (paused until {@link #resume}). */
  void open(String endpoint) {
    socket = loop.context().createSocket(SocketType.DEALER);
    socket.setLinger(0);
    socket.connect(endpoint);
    loop.register(socket, f -> {
      lastNanos = System.nanoTime();
      reported = false;
    });
    loop.schedule(INTERVAL_MILLIS, this::tick);
  }

  /** The socket, for the connection to retarget or close; null before {@link #open}. */
  ZMQ.Socket socket() {
    return socket;
  }

  void pause() {
    paused = true;
  }

  /** Counts silence from now on. */
  void resume() {
    lastNanos = System.nanoTime();
    reported = false;
    paused = false;
  }

  private void tick() {
    if (closed.getAsBoolean()) {
      return;
    }
    if (!paused) {
      long age = System.nanoTime() - lastNanos;
      if (age > STALE_NANOS && !reported) {
        reported = true;
        onLost.run();
      }
    }
    socket.sendMore(new byte[0]);
    socket.send("ping".getBytes(StandardCharsets.US_ASCII));
    loop.schedule(INTERVAL_MILLIS, this::tick);
  }
}
