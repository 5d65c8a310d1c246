package dev.atelier.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.RuntimeFailure;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link BatchRuntime} on a Docker engine: job containers created with binds, limits and
 * labels on the engine's client shared with the other Docker runtimes ({@link DockerEngine}),
 * their output followed line by line, waited for, stopped with a grace period. No Docker API
 * version is pinned. Calls block: run them on virtual threads.
 */
public final class JobContainers implements BatchRuntime {
  private final DockerEngine engine;
  private final DockerClient docker;

  /** @param engine the engine's shared client; closed by whoever created it, not here */
  public JobContainers(DockerEngine engine) {
    this.engine = engine;
    this.docker = engine.client();
  }

  @Override
  public String name() {
    return "docker";
  }

  @Override
  public void requireImage(String image) {
    engine.requireImage(image);
  }

  @Override
  public String create(Spec spec) {
    List<Bind> binds = new ArrayList<>();
    spec.binds().forEach((host, inside) -> binds.add(inside.endsWith(":ro")
        ? new Bind(host, new Volume(inside.substring(0, inside.length() - 3)), AccessMode.ro)
        : new Bind(host, new Volume(inside))));
    // On the host's network, as instances are: the server listens on 127.0.0.1 only, and a job
    // reaches its API there (MLFLOW_TRACKING_URI). A bridge network would need the API published
    // on the bridge's address, reachable by every container on the engine.
    HostConfig host = DockerEngine.limit(HostConfig.newHostConfig().withInit(true).withBinds(binds)
        .withNetworkMode("host"), spec.cpus(), spec.memoryBytes());
    List<String> env = new ArrayList<>();
    spec.env().forEach((k, v) -> env.add(k + "=" + v));
    try (CreateContainerCmd cmd = docker.createContainerCmd(spec.image())) {
      cmd.withName(spec.name()).withLabels(spec.labels()).withEnv(env).withHostConfig(host);
      if (spec.user() != null) {
        cmd.withUser(spec.user());
      }
      if (spec.entrypoint() != null && !spec.entrypoint().isEmpty()) {
        cmd.withEntrypoint(spec.entrypoint());
      }
      if (spec.command() != null && !spec.command().isEmpty()) {
        cmd.withCmd(spec.command());
      }
      return cmd.exec().getId();
    } catch (NotFoundException e) {
      // The engine answers a create with 404 only when it has no such image.
      throw RuntimeFailure.imageMissing(spec.image());
    }
  }

  @Override
  public void start(String id) {
    docker.startContainerCmd(id).exec();
  }

  @Override
  public List<Found> find(String label, String value) {
    List<Found> out = new ArrayList<>();
    for (Container c : docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(label, value)).exec()) {
      out.add(new Found(c.getId(), "running".equals(c.getState()), c.getLabels()));
    }
    return out;
  }

  @Override
  public Optional<Boolean> running(String id) {
    try {
      InspectContainerResponse r = docker.inspectContainerCmd(id).exec();
      return Optional.of(Boolean.TRUE.equals(r.getState().getRunning()));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public Follow follow(String id, String sinceTimestamp, LineSink sink) {
    AtomicReference<String> last = new AtomicReference<>(sinceTimestamp);
    LineSink tracked = (ts, err, text) -> {
      last.set(ts);
      sink.line(ts, err, text);
    };
    Lines lines = logs(id, sinceTimestamp, true, tracked);
    return new Follow() {
      @Override
      public void awaitEnd(Duration max) throws InterruptedException {
        if (lines.awaitCompletion(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          catchUp(id, last.get(), tracked, max);
        }
      }

      @Override
      public void close() {
        try {
          lines.close();
        } catch (java.io.IOException e) {
          // the engine's stream is dropped anyway
        }
      }
    };
  }

  /**
   * A followed stream can end as the container exits before the engine has written its last output
   * (a final line without a newline is written when the container's stdout closes): once the
   * stream ends, what the engine holds after the last line seen is read once more.
   */
  private void catchUp(String id, String after, LineSink sink, Duration max) throws InterruptedException {
    try {
      logs(id, after, false, sink).awaitCompletion(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      // the container is gone: nothing more to read
    }
  }

  private Lines logs(String id, String sinceTimestamp, boolean follow, LineSink sink) {
    var cmd = docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(follow)
        .withTimestamps(true);
    if (sinceTimestamp != null) {
      cmd.withSince((int) java.time.Instant.parse(sinceTimestamp).getEpochSecond());
    }
    return cmd.exec(new Lines(sinkAfter(sinceTimestamp, sink)));
  }

  private static LineSink sinkAfter(String since, LineSink sink) {
    if (since == null) {
      return sink;
    }
    java.time.Instant after = java.time.Instant.parse(since);
    return (ts, err, text) -> {
      if (java.time.Instant.parse(ts).isAfter(after)) {
        sink.line(ts, err, text);
      }
    };
  }

  @Override
  public Exit await(String id) {
    Integer code = docker.waitContainerCmd(id).start().awaitStatusCode();
    InspectContainerResponse.ContainerState s = docker.inspectContainerCmd(id).exec().getState();
    long exit = code != null ? code : (s.getExitCodeLong() == null ? -1 : s.getExitCodeLong());
    String error = s.getError() == null || s.getError().isBlank() ? null : s.getError();
    return new Exit(exit, Boolean.TRUE.equals(s.getOOMKilled()), error);
  }

  @Override
  public java.io.Closeable stats(String id, java.util.function.Consumer<Reading> sink) {
    try {
      return EngineReadings.follow(docker, id, sink);
    } catch (NotFoundException e) {
      return () -> {};
    }
  }

  @Override
  public void stop(String id, Duration grace) {
    engine.stop(id, grace);
  }

  @Override
  public void remove(String id) {
    engine.remove(id);
  }

  /** The engine is the creator's to close. */
  @Override
  public void close() {}

  /** Reassembles whole lines from the engine's frames, per stream. */
  private static final class Lines extends ResultCallback.Adapter<Frame> {
    private final LineSink sink;
    private final Map<StreamType, ByteArrayOutputStream> partial = new EnumMap<>(StreamType.class);

    Lines(LineSink sink) {
      this.sink = sink;
    }

    @Override
    public synchronized void onNext(Frame frame) {
      ByteArrayOutputStream buf = partial.computeIfAbsent(frame.getStreamType(), t -> new ByteArrayOutputStream());
      byte[] b = frame.getPayload();
      int start = 0;
      for (int i = 0; i < b.length; i++) {
        if (b[i] == '\n') {
          buf.write(b, start, i - start);
          emit(frame.getStreamType(), buf);
          start = i + 1;
        }
      }
      buf.write(b, start, b.length - start);
    }

    @Override
    public void onComplete() {
      flushPartial();
      super.onComplete();
    }

    /** The engine may end a finished container's stream with an error rather than an end: its last line still counts. */
    @Override
    public void onError(Throwable throwable) {
      flushPartial();
      super.onError(throwable);
    }

    private synchronized void flushPartial() {
      partial.forEach((type, buf) -> {
        if (buf.size() > 0) {
          emit(type, buf);
        }
      });
    }

    private void emit(StreamType type, ByteArrayOutputStream buf) {
      String raw = buf.toString(StandardCharsets.UTF_8);
      buf.reset();
      int sp = raw.indexOf(' ');
      String ts = sp > 0 ? raw.substring(0, sp) : java.time.Instant.now().toString();
      String text = sp > 0 ? raw.substring(sp + 1) : raw;
      if (text.endsWith("\r")) {
        text = text.substring(0, text.length() - 1);
      }
      sink.line(ts, type == StreamType.STDERR, text);
    }
  }
}
