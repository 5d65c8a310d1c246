package dev.atelier.runtime;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Containers that run to completion (training and processing jobs) on a Docker engine: created
 * with binds, limits and labels, their output followed line by line, waited for, stopped with a
 * grace period. No Docker API version is pinned. Calls block: run them on virtual threads.
 */
public final class JobContainers implements AutoCloseable {
  /** A container to create. */
  public record Spec(
      String name,
      String image,
      List<String> entrypoint,
      List<String> command,
      Map<String, String> env,
      Map<String, String> labels,
      Map<String, String> binds,
      double cpus,
      long memoryBytes,
      String user) {}

  /** A container found by its labels. */
  public record Found(String id, boolean running, Map<String, String> labels) {}

  /** How a container ended. */
  public record Exit(long code, boolean oomKilled, String error) {}

  /** Told each whole line of output with the engine's timestamp (RFC 3339 with nanoseconds). */
  @FunctionalInterface
  public interface LineSink {
    void line(String timestamp, boolean stderr, String text);
  }

  private final DockerClient docker;

  /** @param dockerHost such as {@code unix:///var/run/docker.sock} */
  public JobContainers(String dockerHost) {
    this.docker = DockerClients.unversioned(dockerHost, Duration.ofDays(30));
  }

  /** Fails, saying how to build it, when the engine does not have the image. */
  public void requireImage(String image) {
    try {
      docker.inspectImageCmd(image).exec();
    } catch (NotFoundException e) {
      throw new AgentException("image " + image + " is not built here: build it (bash images/build.sh builds"
          + " Atelier's images) or load it with docker load");
    } catch (RuntimeException e) {
      throw new AgentException("the Docker engine is not reachable: " + DockerRuntime.rootMessage(e));
    }
  }

  /** Creates (not starts) the container; returns its id. */
  public String create(Spec spec) {
    List<Bind> binds = new ArrayList<>();
    spec.binds().forEach((host, inside) -> binds.add(new Bind(host, new Volume(inside))));
    HostConfig host = HostConfig.newHostConfig().withInit(true).withBinds(binds);
    if (spec.memoryBytes() > 0) {
      host.withMemory(spec.memoryBytes()).withMemorySwap(spec.memoryBytes());
    }
    if (spec.cpus() > 0) {
      host.withNanoCPUs((long) (spec.cpus() * 1_000_000_000L));
    }
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
    }
  }

  public void start(String id) {
    docker.startContainerCmd(id).exec();
  }

  /** Containers carrying {@code label=value}, running or not. */
  public List<Found> find(String label, String value) {
    List<Found> out = new ArrayList<>();
    for (Container c : docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(label, value)).exec()) {
      out.add(new Found(c.getId(), "running".equals(c.getState()), c.getLabels()));
    }
    return out;
  }

  /** Whether the container is running; empty when it does not exist. */
  public Optional<Boolean> running(String id) {
    try {
      InspectContainerResponse r = docker.inspectContainerCmd(id).exec();
      return Optional.of(Boolean.TRUE.equals(r.getState().getRunning()));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Follows stdout and stderr from {@code since} (an engine timestamp, or null for the start)
   * until the container ends or the returned handle is closed.
   */
  public Closeable follow(String id, String sinceTimestamp, LineSink sink) {
    var cmd = docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true)
        .withTimestamps(true);
    if (sinceTimestamp != null) {
      cmd.withSince((int) java.time.Instant.parse(sinceTimestamp).getEpochSecond());
    }
    Lines lines = new Lines(sinkAfter(sinceTimestamp, sink));
    return cmd.exec(lines);
  }

  /** Blocks until the follow started by {@link #follow} has delivered everything. */
  public static void awaitFollow(Closeable handle, Duration max) throws InterruptedException {
    if (handle instanceof ResultCallback.Adapter<?> a) {
      a.awaitCompletion(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
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

  /** Waits for the container to end. */
  public Exit await(String id) {
    Integer code = docker.waitContainerCmd(id).start().awaitStatusCode();
    InspectContainerResponse.ContainerState s = docker.inspectContainerCmd(id).exec().getState();
    long exit = code != null ? code : (s.getExitCodeLong() == null ? -1 : s.getExitCodeLong());
    String error = s.getError() == null || s.getError().isBlank() ? null : s.getError();
    return new Exit(exit, Boolean.TRUE.equals(s.getOOMKilled()), error);
  }

  /** SIGTERM, then SIGKILL after {@code grace}; returns once it has ended. */
  public void stop(String id, Duration grace) {
    try {
      docker.stopContainerCmd(id).withTimeout((int) grace.toSeconds()).exec();
    } catch (NotFoundException e) {
      // already gone
    } catch (com.github.dockerjava.api.exception.NotModifiedException e) {
      // already stopped
    }
  }

  public void remove(String id) {
    try {
      docker.removeContainerCmd(id).withForce(true).exec();
    } catch (NotFoundException e) {
      // already gone
    }
  }

  @Override
  public void close() {
    try {
      docker.close();
    } catch (java.io.IOException e) {
      // closing anyway
    }
  }

  /** Reassembles whole lines from the engine's frames, per stream. */
  private static final class Lines extends ResultCallback.Adapter<Frame> {
    private final LineSink sink;
    private final Map<StreamType, ByteArrayOutputStream> partial = new EnumMap<>(StreamType.class);

    Lines(LineSink sink) {
      this.sink = sink;
    }

    @Override
    public void onNext(Frame frame) {
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
      partial.forEach((type, buf) -> {
        if (buf.size() > 0) {
          emit(type, buf);
        }
      });
      super.onComplete();
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
