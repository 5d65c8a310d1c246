package dev.atelier.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * One thread that owns a set of ZeroMQ sockets (JeroMQ sockets are not thread safe). Other
 * threads hand it work with {@link #execute}; a pipe wakes the poller so work runs at once.
 * Sockets are created, used and closed only inside tasks or handlers running on this thread.
 */
public final class ZmqLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ZmqLoop.class);

  private record Registration(ZMQ.Socket socket, Consumer<List<byte[]>> handler) {}

  private record Timer(long dueNanos, long seq, Runnable task) {}

  /** Upper bound on one poll, so that a missed wake-up costs at most this much latency. */
  private static final long MAX_WAIT_MILLIS = 50;

  private final ZContext context;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<Registration> registrations = new ArrayList<>();
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.seq, b.seq));
  private final Pipe wakeup;
  private final ByteBuffer one = ByteBuffer.allocate(1);
  private long timerSeq;
  private ZMQ.Poller poller;
  private boolean pollerStale = true;
  private volatile boolean running = true;

  public ZmqLoop(ZContext context, String name) {
    this.context = context;
    try {
      wakeup = Pipe.open();
      wakeup.source().configureBlocking(false);
      wakeup.sink().configureBlocking(false);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the wake-up pipe", e);
    }
    thread = Thread.ofPlatform().name(name).daemon(true).start(this::run);
  }

  public ZContext context() {
    return context;
  }

  /** Runs a task on the loop thread, soon. Safe from any thread. */
  public void execute(Runnable task) {
    tasks.add(task);
    synchronized (wakeup) {
      try {
        one.clear();
        one.put((byte) 1).flip();
        wakeup.sink().write(one);
      } catch (IOException e) {
        // Only when closed or full: a full pipe already guarantees a wake-up.
      }
    }
  }

  /** Runs a task on the loop thread after a delay. Call from the loop thread. */
  public void schedule(long delayMillis, Runnable task) {
    timers.add(new Timer(System.nanoTime() + delayMillis * 1_000_000L, timerSeq++, task));
  }

  /** Starts delivering the socket's messages (all frames) to the handler. Loop thread only. */
  public void register(ZMQ.Socket socket, Consumer<List<byte[]>> handler) {
    registrations.add(new Registration(socket, handler));
    pollerStale = true;
  }

  /** Stops polling and closes the socket. Loop thread only. */
  public void closeSocket(ZMQ.Socket socket) {
    registrations.removeIf(r -> r.socket == socket);
    pollerStale = true;
    socket.setLinger(0);
    socket.close();
  }

  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  private void run() {
    while (running) {
      if (pollerStale) {
        rebuildPoller();
      }
      long timeout = MAX_WAIT_MILLIS;
      Timer next = timers.peek();
      if (next != null) {
        timeout = Math.max(0, (next.dueNanos - System.nanoTime()) / 1_000_000L);
      }
      try {
        if (poller.poll(timeout) < 0) {
          // The ZeroMQ context was closed under us: the server is stopping.
          break;
        }
      } catch (java.nio.channels.ClosedSelectorException | org.zeromq.ZMQException | zmq.ZError.CtxTerminatedException e) {
        break;
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        LOG.warn("poll failed on {}", thread.getName(), e);
      }
      drainWakeup();
      runTasks();
      runTimers();
      // JeroMQ signals readiness by edges on a mailbox; a send in a task can consume the signal
      // of data that is already queued. So every socket is drained on every pass, after the
      // tasks, not only the ones the poller flagged; a receive that finds nothing is cheap.
      for (Registration r : List.copyOf(registrations)) {
        receiveAll(r);
      }
    }
    for (Registration r : registrations) {
      try {
        r.socket.setLinger(0);
        r.socket.close();
      } catch (RuntimeException e) {
        // the context is already gone
      }
    }
    registrations.clear();
    running = false;
  }

  private void receiveAll(Registration r) {
    if (!registrations.contains(r)) {
      return;
    }
    for (int n = 0; n < 1000; n++) {
      List<byte[]> frames = new ArrayList<>(8);
      byte[] first = r.socket.recv(ZMQ.DONTWAIT);
      if (first == null) {
        return;
      }
      frames.add(first);
      while (r.socket.hasReceiveMore()) {
        frames.add(r.socket.recv(0));
      }
      try {
        r.handler.accept(frames);
      } catch (RuntimeException e) {
        LOG.error("message handler failed on {}", thread.getName(), e);
      }
      if (!registrations.contains(r)) {
        return;
      }
    }
  }

  private void runTasks() {
    Runnable task;
    int budget = 10_000;
    while (budget-- > 0 && (task = tasks.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.error("task failed on {}", thread.getName(), e);
      }
    }
  }

  private void runTimers() {
    long now = System.nanoTime();
    while (!timers.isEmpty() && timers.peek().dueNanos <= now) {
      try {
        timers.poll().task.run();
      } catch (RuntimeException e) {
        LOG.error("timer failed on {}", thread.getName(), e);
      }
    }
  }

  private void rebuildPoller() {
    if (poller != null) {
      poller.close();
    }
    poller = context.createPoller(registrations.size() + 1);
    poller.register(wakeup.source(), ZMQ.Poller.POLLIN);
    for (Registration r : registrations) {
      poller.register(r.socket, ZMQ.Poller.POLLIN);
    }
    pollerStale = false;
  }

  private void drainWakeup() {
    ByteBuffer buf = ByteBuffer.allocate(256);
    try {
      while (wakeup.source().read(buf) > 0) {
        buf.clear();
      }
    } catch (IOException e) {
      // closed
    }
  }

  /** Stops the loop; its sockets are closed on the loop thread. */
  @Override
  public void close() {
    running = false;
    execute(() -> {});
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      wakeup.sink().close();
      wakeup.source().close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
