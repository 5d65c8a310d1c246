package dev.atelier.kernels;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * One client's view of a kernel, keyed by the WebSocket's {@code session_id}: its own shell,
 * stdin and control sockets (shell and stdin share one ZMQ identity, or {@code input()} replies
 * never reach the kernel), and, while the client is away, the messages it missed, replayed in
 * order when it reconnects with the same {@code session_id}. Used only on the kernel's I/O thread.
 *
 * <p>Shell requests wait until the stdin connection has finished its handshake: the kernel sends
 * {@code input_request} to the shell's identity on its stdin ROUTER, which silently drops a message
 * for an identity it has not met yet, so an {@code input()} in a client's first cell would
 * otherwise wait for ever whenever stdin connects a moment after shell.
 */
final class ClientSession {
  /**
   * How long shell requests wait for stdin at most: long enough to cover a kernel whose instance
   * is still starting (the handshake comes once it listens), and a bound for a peer that never
   * reports one, whose requests then go anyway.
   */
  private static final long STDIN_WAIT_MILLIS = 30_000;
  private final String sessionId;
  private final ZMQ.Socket shell;
  private final ZMQ.Socket control;
  private final ZMQ.Socket stdin;
  private final ZMQ.Socket stdinEvents;
  private final ArrayDeque<List<byte[]>> heldForStdin = new ArrayDeque<>();
  private final KernelConnection kernel;
  private boolean stdinUp;
  private int stdinAttempt;
  private final ArrayDeque<WireMessage> missed = new ArrayDeque<>();
  private final long replayLimit;
  private long missedBytes;
  private long droppedWhileAway;
  private ClientSink sink;
  private long detachedAtNanos;

  ClientSession(KernelConnection kernel, String sessionId, long replayLimit) {
    this.sessionId = sessionId;
    this.replayLimit = replayLimit;
    this.kernel = kernel;
    byte[] identity = (sessionId + "-" + java.util.UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    var ctx = kernel.loop().context();
    ConnectionInfo c = kernel.info();
    shell = ctx.createSocket(SocketType.DEALER);
    stdin = ctx.createSocket(SocketType.DEALER);
    control = ctx.createSocket(SocketType.DEALER);
    for (ZMQ.Socket s : new ZMQ.Socket[] {shell, stdin, control}) {
      s.setLinger(0);
      s.setSndHWM(0);
      s.setRcvHWM(0);
    }
    shell.setIdentity(identity);
    stdin.setIdentity(identity);
    String events = "inproc://atelier-stdin-" + java.util.UUID.randomUUID();
    stdin.monitor(events, ZMQ.EVENT_HANDSHAKE_PROTOCOL);
    stdinEvents = ctx.createSocket(SocketType.PAIR);
    stdinEvents.connect(events);
    kernel.loop().register(stdinEvents, f -> stdinUp());
    awaitStdin();
    shell.connect(c.endpoint(c.shellPort()));
    stdin.connect(c.endpoint(c.stdinPort()));
    control.connect(c.endpoint(c.controlPort()));
    kernel.loop().register(shell, f -> kernel.fromKernel("shell", f, this));
    kernel.loop().register(stdin, f -> kernel.fromKernel("stdin", f, this));
    kernel.loop().register(control, f -> kernel.fromKernel("control", f, this));
  }

  String sessionId() {
    return sessionId;
  }

  boolean attached() {
    return sink != null;
  }

  long detachedAtNanos() {
    return detachedAtNanos;
  }

  /** Connects a client; first replays what it missed, in order. */
  void attach(ClientSink newSink) {
    if (sink != null) {
      sink.close("another connection took over this session");
    }
    sink = newSink;
    if (droppedWhileAway > 0) {
      droppedWhileAway = 0;
    }
    while (!missed.isEmpty()) {
      sink.send(missed.poll());
    }
    missedBytes = 0;
  }

  void detach(ClientSink oldSink) {
    if (sink == oldSink) {
      sink = null;
      detachedAtNanos = System.nanoTime();
    }
  }

  /** Delivers to the client, or keeps it for replay (oldest dropped beyond the limit). */
  void deliver(WireMessage m) {
    if (sink != null) {
      sink.send(m);
      return;
    }
    missed.add(m);
    missedBytes += m.size();
    while (missedBytes > replayLimit && missed.size() > 1) {
      missedBytes -= missed.poll().size();
      droppedWhileAway++;
    }
  }

  /** Sends a client's signed message on this session's socket for {@code channel}. */
  void send(String channel, List<byte[]> frames) {
    if ("shell".equals(channel) && !stdinUp) {
      heldForStdin.add(frames);
      return;
    }
    KernelConnection.sendFrames(socketFor(channel), frames);
  }

  /** Holds shell requests until stdin's next handshake, or {@link #STDIN_WAIT_MILLIS} at most. */
  private void awaitStdin() {
    stdinUp = false;
    int attempt = ++stdinAttempt;
    kernel.loop().schedule(STDIN_WAIT_MILLIS, () -> {
      if (attempt == stdinAttempt && !stdinUp) {
        stdinUp();
      }
    });
  }

  private void stdinUp() {
    stdinUp = true;
    while (!heldForStdin.isEmpty()) {
      KernelConnection.sendFrames(shell, heldForStdin.poll());
    }
  }

  private ZMQ.Socket socketFor(String channel) {
    return switch (channel) {
      case "shell" -> shell;
      case "stdin" -> stdin;
      case "control" -> control;
      default -> throw new IllegalArgumentException(channel);
    };
  }

  /** The kernel now listens elsewhere (started again on another instance). */
  void retarget(ConnectionInfo from, ConnectionInfo to) {
    awaitStdin();
    KernelConnection.move(shell, from.endpoint(from.shellPort()), to.endpoint(to.shellPort()));
    KernelConnection.move(stdin, from.endpoint(from.stdinPort()), to.endpoint(to.stdinPort()));
    KernelConnection.move(control, from.endpoint(from.controlPort()), to.endpoint(to.controlPort()));
  }

  void close(KernelConnection kernel, String why) {
    if (sink != null) {
      sink.close(why);
      sink = null;
    }
    kernel.loop().closeSocket(shell);
    kernel.loop().closeSocket(stdin);
    kernel.loop().closeSocket(stdinEvents);
    kernel.loop().closeSocket(control);
    missed.clear();
    heldForStdin.clear();
  }
}
