package dev.atelier.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.ZmqLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The server's connection to one kernel over the Jupyter wire protocol, on the kernel's own
 * I/O thread: one iopub subscription broadcast to every client session, a heartbeat, and the
 * gateway's own shell and control sockets for the start-up nudge and {@code kernel_info}.
 */
public final class KernelConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KernelConnection.class);
  private static final long DETACHED_SESSION_NANOS = 10L * 60 * 1_000_000_000L;
  private static final Set<String> NOT_ACTIVITY =
      Set.of("kernel_info_request", "kernel_info_reply", "status", "comm_info_request", "comm_info_reply",
          "debug_request", "debug_reply", "debug_event");

  /** What the kernel's owner hears about. Called on the I/O thread. */
  public interface Listener {
    void onExecutionState(String state);

    void onActivity(Instant when);

    void onConnections(int attachedClients);

    void onHeartbeatLost();
  }

  private final String kernelId;
  private final ZmqLoop loop;
  private volatile ConnectionInfo info;
  private final WireSigner signer;
  private final Listener listener;
  private final long replayLimit;
  private final String gatewaySession = UUID.randomUUID().toString();
  private final Map<String, ClientSession> sessions = new HashMap<>();
  private final AtomicLong badSignatures = new AtomicLong();
  private ZMQ.Socket iopub;
  private ZMQ.Socket shell;
  private ZMQ.Socket control;
  private final Heartbeat heartbeat;
  private final ReadinessWait readiness;
  private boolean closed;
  /** While the kernel is being started again: what clients send waits here, in order. */
  private final HeldMessages held;
  private Relay relay = Relay.OPEN;

  /** What becomes of a client's message: sent, kept until the kernel is back, or dropped (dead for good). */
  public enum Relay { OPEN, HOLD, DROP }

  public KernelConnection(String kernelId, ZmqLoop loop, ConnectionInfo info, Listener listener, long replayLimit) {
    this.kernelId = kernelId;
    this.loop = loop;
    this.info = info;
    this.signer = new WireSigner(info.key());
    this.listener = listener;
    this.replayLimit = replayLimit;
    this.held = new HeldMessages(kernelId, replayLimit);
    this.heartbeat = new Heartbeat(loop, () -> closed, listener::onHeartbeatLost);
    this.readiness = new ReadinessWait(loop, () -> sendOwn(shell, "kernel_info_request"), () -> closed, this::ready);
    loop.execute(this::open);
  }

  ZmqLoop loop() {
    return loop;
  }

  ConnectionInfo info() {
    return info;
  }

  /** Messages dropped because their signature did not verify. */
  public long badSignatures() {
    return badSignatures.get();
  }

  private void open() {
    var ctx = loop.context();
    iopub = ctx.createSocket(SocketType.SUB);
    iopub.setLinger(0);
    iopub.setRcvHWM(0);
    iopub.subscribe(new byte[0]);
    iopub.connect(info.endpoint(info.iopubPort()));
    loop.register(iopub, this::onIopub);
    shell = ctx.createSocket(SocketType.DEALER);
    shell.setLinger(0);
    shell.connect(info.endpoint(info.shellPort()));
    loop.register(shell, f -> onGatewayReply("shell", f));
    control = ctx.createSocket(SocketType.DEALER);
    control.setLinger(0);
    control.connect(info.endpoint(info.controlPort()));
    loop.register(control, f -> onGatewayReply("control", f));
    heartbeat.open(info.endpoint(info.hbPort()));
    loop.schedule(60_000, this::expireDetachedSessions);
  }

  /**
   * Completes once the kernel is ready (see {@link ReadinessWait}), so iopub is flowing and the
   * last state reported is idle. Used after start and restart.
   */
  public CompletableFuture<Void> awaitReady() {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    loop.execute(() -> {
      heartbeat.pause();
      readiness.begin(ready);
    });
    return ready;
  }

  /** Sends a message of the gateway's own (its replies come back on the gateway's sockets). */
  private void sendOwn(ZMQ.Socket socket, String msgType) {
    byte[] empty = "{}".getBytes(StandardCharsets.US_ASCII);
    sendFrames(socket, WireMessage.own("shell", msgType, gatewaySession, empty, empty).toFrames(signer));
  }

  private void onGatewayReply(String channel, List<byte[]> frames) {
    var msg = WireCodec.fromFrames(channel, frames, signer);
    if (msg.isEmpty()) {
      badSignatures.incrementAndGet();
      return;
    }
    readiness.onReply(msg.get());
  }

  /** The kernel is ready: heartbeats count again and what clients sent meanwhile goes out in order. */
  private void ready() {
    heartbeat.resume();
    relay = Relay.OPEN;
    held.drain((session, m) -> {
      if (sessions.containsValue(session)) {
        session.send(m.channel(), m.toFrames(signer));
      }
    });
  }

  /**
   * From now on, what clients send waits (HOLD) until the kernel is ready again, so that requests
   * sent after a death reach the restarted kernel once its output can reach them; or is dropped
   * (DROP) while the kernel stays dead. Ready (after {@link #awaitReady}) opens the relay again.
   */
  public void relay(Relay mode) {
    loop.execute(() -> {
      relay = mode;
      if (mode == Relay.DROP) {
        held.clear();
      }
    });
  }

  /**
   * Points every socket at a kernel listening elsewhere (started again on another instance), with
   * the same key: clients stay connected and their sessions keep their identities.
   */
  public CompletableFuture<Void> retarget(ConnectionInfo next) {
    if (!next.key().equals(info.key())) {
      throw new IllegalArgumentException("a retargeted kernel must keep its key");
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      ConnectionInfo old = info;
      info = next;
      if (!closed) {
        move(iopub, old.endpoint(old.iopubPort()), next.endpoint(next.iopubPort()));
        move(shell, old.endpoint(old.shellPort()), next.endpoint(next.shellPort()));
        move(control, old.endpoint(old.controlPort()), next.endpoint(next.controlPort()));
        move(heartbeat.socket(), old.endpoint(old.hbPort()), next.endpoint(next.hbPort()));
        for (ClientSession s : sessions.values()) {
          s.retarget(old, next);
        }
      }
      done.complete(null);
    });
    return done;
  }

  static void move(ZMQ.Socket socket, String from, String to) {
    if (!from.equals(to)) {
      socket.disconnect(from);
      socket.connect(to);
    }
  }

  private void onIopub(List<byte[]> frames) {
    var parsed = WireCodec.fromFrames("iopub", frames, signer);
    if (parsed.isEmpty()) {
      badSignatures.incrementAndGet();
      LOG.warn("kernel {}: dropped an iopub message with a bad signature", kernelId);
      return;
    }
    WireMessage m = parsed.get();
    if ("status".equals(m.msgType())) {
      String state = executionState(m.content());
      if (state != null && !answersOwnRequest(m)) {
        listener.onExecutionState(state);
      }
      readiness.onStatus(m, state);
    } else if (!NOT_ACTIVITY.contains(m.msgType())) {
      listener.onActivity(Instant.now());
    }
    for (ClientSession s : sessions.values()) {
      s.deliver(m);
    }
  }

  /** Answers to the gateway's own nudges do not move the kernel's state (a late one made a ready kernel busy). */
  private boolean answersOwnRequest(WireMessage m) {
    return new String(m.parentHeader(), StandardCharsets.UTF_8).contains(gatewaySession);
  }

  private static String executionState(byte[] content) {
    try {
      JsonNode c = Json.mapper().readTree(content);
      return c.path("execution_state").isTextual() ? c.path("execution_state").asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** A reply on a client session's own socket. */
  void fromKernel(String channel, List<byte[]> frames, ClientSession session) {
    var parsed = WireCodec.fromFrames(channel, frames, signer);
    if (parsed.isEmpty()) {
      badSignatures.incrementAndGet();
      LOG.warn("kernel {}: dropped a {} message with a bad signature", kernelId, channel);
      return;
    }
    if (!NOT_ACTIVITY.contains(parsed.get().msgType())) {
      listener.onActivity(Instant.now());
    }
    session.deliver(parsed.get());
  }

  /**
   * Attaches a client to its session (created on first use), replaying what it missed.
   *
   * @return a handle to send the client's messages and to detach it
   */
  public CompletableFuture<ClientHandle> attach(String sessionId, ClientSink sink) {
    CompletableFuture<ClientHandle> result = new CompletableFuture<>();
    loop.execute(() -> {
      if (closed) {
        result.completeExceptionally(new IllegalStateException("kernel " + kernelId + " is shut down"));
        return;
      }
      ClientSession s = sessions.computeIfAbsent(sessionId, id -> new ClientSession(this, id, replayLimit));
      s.attach(sink);
      listener.onConnections(attachedCount());
      result.complete(new ClientHandle(s, sink));
    });
    return result;
  }

  /** A client's side of its session. */
  public final class ClientHandle {
    private final ClientSession session;
    private final ClientSink sink;

    private ClientHandle(ClientSession session, ClientSink sink) {
      this.session = session;
      this.sink = sink;
    }

    /** Signs and sends a client's message on its own socket for the message's channel. */
    public void send(WireMessage m) {
      loop.execute(() -> {
        if (closed || !sessions.containsValue(session)) {
          return;
        }
        if (!NOT_ACTIVITY.contains(m.msgType())) {
          listener.onActivity(Instant.now());
        }
        switch (relay) {
          case OPEN -> session.send(m.channel(), m.toFrames(signer));
          case HOLD -> held.add(session, m);
          case DROP -> LOG.debug("kernel {} is dead: dropped a client's {}", kernelId, m.msgType());
        }
      });
    }

    /** Tells this client alone the kernel's state (a client that joins a dead kernel learns it is dead). */
    public void status(String state, JsonNode metadata) {
      WireMessage m = statusMessage(state, metadata);
      loop.execute(() -> session.deliver(m));
    }

    /** The client went away; its session keeps collecting output for a while. */
    public void detach() {
      loop.execute(() -> {
        session.detach(sink);
        listener.onConnections(attachedCount());
      });
    }
  }

  private int attachedCount() {
    int n = 0;
    for (ClientSession s : sessions.values()) {
      if (s.attached()) {
        n++;
      }
    }
    return n;
  }

  /** Publishes a status the kernel cannot publish itself ({@code restarting}, {@code dead}) to every client. */
  public void publishStatus(String state) {
    publishStatus(state, null);
  }

  /**
   * The same, with metadata for clients that read it (why the kernel died, the restart count);
   * Jupyter clients read only the content's {@code execution_state}.
   */
  public void publishStatus(String state, JsonNode metadata) {
    WireMessage m = statusMessage(state, metadata);
    loop.execute(() -> {
      for (ClientSession s : sessions.values()) {
        s.deliver(m);
      }
    });
  }

  private WireMessage statusMessage(String state, JsonNode metadata) {
    byte[] meta;
    try {
      meta = metadata == null ? "{}".getBytes(StandardCharsets.US_ASCII) : Json.mapper().writeValueAsBytes(metadata);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    byte[] content = ("{\"execution_state\":\"" + state + "\"}").getBytes(StandardCharsets.US_ASCII);
    return WireMessage.own("iopub", "status", gatewaySession, meta, content);
  }

  /** Stops heartbeat checks (the kernel is restarting or gone). */
  public void pauseHeartbeat() {
    loop.execute(heartbeat::pause);
  }

  private void expireDetachedSessions() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    sessions.values().removeIf(s -> {
      boolean expired = !s.attached() && now - s.detachedAtNanos() > DETACHED_SESSION_NANOS;
      if (expired) {
        s.close(this, "session expired");
      }
      return expired;
    });
    loop.schedule(60_000, this::expireDetachedSessions);
  }

  static void sendFrames(ZMQ.Socket socket, List<byte[]> frames) {
    for (int i = 0; i < frames.size() - 1; i++) {
      socket.sendMore(frames.get(i));
    }
    socket.send(frames.get(frames.size() - 1));
  }

  /** Closes every client and socket; clients are told why. */
  public void close(String why) {
    loop.execute(() -> {
      if (closed) {
        return;
      }
      closed = true;
      for (ClientSession s : sessions.values()) {
        s.close(this, why);
      }
      sessions.clear();
      readiness.fail(why);
      for (ZMQ.Socket s : new ZMQ.Socket[] {iopub, heartbeat.socket(), shell, control}) {
        if (s != null) {
          loop.closeSocket(s);
        }
      }
    });
  }

  @Override
  public void close() {
    close("kernel shut down");
  }
}
