package dev.atelier.runtime.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.LoopbackPorts;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services as local processes (the {@code local} image): each replica runs the spec's command
 * line with the port to listen on in {@code PORT} and {@code BIND_ADDRESS=127.0.0.1}, in a cgroup
 * of its own with the spec's CPU and memory limits where the host allows it ({@link
 * ReplicaCgroups}; {@link #limits} says when not, and why); there are no mounts. Each replica runs
 * in its own session, its output in a log file, so it outlives the server; a record beside it (pid, port, start time) is what a
 * restarted server adopts it by, and the start time tells a reused pid from the replica.
 */
public final class ProcessServiceRuntime implements ServiceRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessServiceRuntime.class);
  private static final String SETSID = "/usr/bin/setsid";

  private final Path stateDir;
  private final ProcessUsage usage = new ProcessUsage();
  private final ReplicaCgroups cgroups;
  private final Map<String, Limits> limits = new ConcurrentHashMap<>();

  /** Without limits (a host or a test with no cgroups to use). */
  public ProcessServiceRuntime(Path stateDir) {
    this(stateDir, Cgroups.off("this server runs local endpoint instances without cgroups"));
  }

  /**
   * @param stateDir where replicas' records and logs live, one folder per service
   * @param cgroups where replicas get their limits: {@link Cgroups#openKeeping}, with an owner of
   *     its own (replicas outlive the server, so an earlier server's are kept), or {@link Cgroups#off}
   */
  public ProcessServiceRuntime(Path stateDir, Cgroups cgroups) {
    this.stateDir = stateDir;
    this.cgroups = new ReplicaCgroups(cgroups);
  }

  @Override
  public String name() {
    return "process";
  }

  @Override
  public Service start(ServiceSpec spec) {
    if (spec.entrypoint().isEmpty() && spec.command().isEmpty()) {
      throw RuntimeFailure.refused("service " + spec.name() + ": a local service needs the command line to run");
    }
    if (spec.containerPort() > 0 || !spec.binds().isEmpty()) {
      throw RuntimeFailure.refused("service " + spec.name() + ": a local service listens on the port it is told in "
          + PORT_VARIABLE + " and mounts nothing; a container port and mounts need a container image");
    }
    List<Replica> started = new ArrayList<>();
    try {
      for (int i = 0; i < spec.replicas(); i++) {
        started.add(launch(spec, i));
      }
    } catch (RuntimeException e) {
      started.forEach(r -> end(spec.name(), r, Duration.ZERO));
      throw e;
    }
    return new Service(spec, started);
  }

  private Replica launch(ServiceSpec spec, int index) {
    int port = LoopbackPorts.take();
    Path dir = stateDir.resolve(spec.name());
    List<String> command = new ArrayList<>();
    if (new File(SETSID).canExecute()) {
      command.add(SETSID); // its own session: a Ctrl-C meant for the server does not reach it
    }
    List<String> line = new ArrayList<>(spec.entrypoint());
    line.addAll(spec.command());
    ReplicaCgroups.Prepared prepared = cgroups.prepare(spec.name(), index, spec.cpus(), spec.memoryBytes());
    command.addAll(ReplicaCgroups.command(prepared, line));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(spec.env());
    pb.environment().put(PORT_VARIABLE, Integer.toString(port));
    pb.environment().put(BIND_VARIABLE, "127.0.0.1");
    Process process;
    try {
      Files.createDirectories(dir);
      pb.directory(dir.toFile());
      File log = dir.resolve("replica-" + index + ".log").toFile();
      // Not pipes: a replica writing to the pipe of a server that has gone would die of SIGPIPE.
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log));
      pb.redirectErrorStream(true);
      // A gated replica reads one line from the server, once it is in its cgroup (see ReplicaCgroups).
      pb.redirectInput(prepared.gated() ? ProcessBuilder.Redirect.PIPE
          : ProcessBuilder.Redirect.from(new File("/dev/null")));
      process = pb.start();
    } catch (IOException e) {
      if (prepared.cgroup() != null) {
        prepared.cgroup().remove();
      }
      throw RuntimeFailure.failed("service " + spec.name() + " replica " + index + " could not start '"
          + line.get(0) + "': " + e.getMessage(), e);
    }
    Limits applied = ReplicaCgroups.join(process, prepared);
    Instant started = process.info().startInstant().orElse(Instant.now());
    Replica replica = new Replica("pid-" + process.pid(), index, port, started);
    ObjectNode record = Json.mapper().createObjectNode();
    record.put("pid", process.pid()).put("index", index).put("port", port).put("started", started.toString());
    ReplicaCgroups.record(record, prepared, applied);
    try {
      Files.writeString(recordOf(spec.name(), index), Json.encode(record));
    } catch (IOException e) {
      process.destroyForcibly();
      throw RuntimeFailure.failed("service " + spec.name() + ": cannot write its record in " + dir + ": "
          + e.getMessage(), e);
    }
    limits.put(replica.id(), applied);
    LOG.info("service {} replica {} started as pid {} on 127.0.0.1:{}{}", spec.name(), index, process.pid(), port,
        applied.enforced() && applied.where() != null ? " in cgroup " + applied.where() : "");
    return replica;
  }

  private Path recordOf(String service, int index) {
    return stateDir.resolve(service).resolve("replica-" + index + ".json");
  }

  /** The replica's process, when it is still the one that was started (not a reused pid). */
  private static Optional<ProcessHandle> handle(Replica r) {
    long pid = Long.parseLong(r.id().substring("pid-".length()));
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().startInstant().map(t -> sameStart(t, r.startedAt())).orElse(true));
  }

  /** Start times are read from the system clock's view of boot time: equal to within a second. */
  private static boolean sameStart(Instant a, Instant b) {
    return Duration.between(a, b).abs().compareTo(Duration.ofSeconds(1)) < 0;
  }

  @Override
  public boolean running(Replica replica) {
    return handle(replica).isPresent();
  }

  @Override
  public Service replace(Service service, int index) {
    Replica old = service.replica(index);
    if (old != null) {
      end(service.name(), old, Duration.ZERO);
    }
    return service.with(launch(service.spec(), index));
  }

  @Override
  public void stop(Service service, Duration grace) {
    List<Thread> stops = new ArrayList<>();
    for (Replica r : service.replicas()) {
      stops.add(Thread.ofVirtual().name("service-stop-" + r.index()).start(() -> end(service.name(), r, grace)));
    }
    for (Thread t : stops) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** SIGTERM to the replica and what it started, SIGKILL after {@code grace}; then its record goes. */
  private void end(String service, Replica r, Duration grace) {
    usage.forget(r.id());
    handle(r).ifPresent(h -> {
      List<ProcessHandle> children = h.descendants().toList();
      if (!Termination.end(h, List.of(), grace)) {
        LOG.warn("service {} replica {} (pid {}) did not end", service, r.index(), h.pid());
      }
      children.forEach(ProcessHandle::destroyForcibly);
    });
    try {
      Path record = recordOf(service, r.index());
      Optional<JsonNode> raw = raw(record);
      Optional<Replica> current = read(service, record);
      if (current.isEmpty() || current.get().id().equals(r.id())) {
        raw.map(ReplicaCgroups::cgroup).ifPresent(InstanceCgroup::remove); // and whatever it left in it
        Files.deleteIfExists(record);
      }
    } catch (IOException e) {
      LOG.warn("service {}: cannot remove the record of replica {}: {}", service, r.index(), e.getMessage());
    }
    limits.remove(r.id());
  }

  /** The replica's process tree from /proc (its cgroup may hold more: what a worker left behind). */
  @Override
  public Usage usage(Service service, Replica replica) {
    Optional<ProcessHandle> h = handle(replica);
    if (h.isEmpty()) {
      usage.forget(replica.id());
      return null;
    }
    return usage.usage(replica.id(), h.get(), service.spec().memoryBytes());
  }

  @Override
  public List<Found> list() {
    List<Found> out = new ArrayList<>();
    if (!Files.isDirectory(stateDir)) {
      return out;
    }
    try (Stream<Path> services = Files.list(stateDir)) {
      for (Path dir : services.filter(Files::isDirectory).sorted().toList()) {
        try (Stream<Path> records = Files.list(dir)) {
          for (Path record : records.filter(p -> p.getFileName().toString().matches("replica-\\d+\\.json")).sorted()
              .toList()) {
            String service = dir.getFileName().toString();
            read(service, record).ifPresent(r -> out.add(new Found(service, r, running(r))));
          }
        }
      }
    } catch (IOException e) {
      throw RuntimeFailure.failed("cannot read the services' records in " + stateDir + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static Optional<JsonNode> raw(Path record) {
    try {
      return Optional.of(Json.mapper().readTree(Files.readString(record)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public Limits limits(Replica replica) {
    Limits l = limits.get(replica.id());
    return l != null ? l : new Limits(false, "not known: the replica's record is gone", null);
  }

  private Optional<Replica> read(String service, Path record) {
    try {
      JsonNode n = Json.mapper().readTree(Files.readString(record));
      Replica r = new Replica("pid-" + n.path("pid").asLong(), n.path("index").asInt(), n.path("port").asInt(),
          Instant.parse(n.path("started").asText()));
      limits.putIfAbsent(r.id(), ReplicaCgroups.limits(n));
      return Optional.of(r);
    } catch (IOException | RuntimeException e) {
      if (Files.exists(record)) {
        LOG.warn("service {}: the record {} cannot be read: {}", service, record, e.toString());
      }
      return Optional.empty();
    }
  }

  @Override
  public Service adopt(ServiceSpec spec) {
    List<Replica> replicas = new ArrayList<>();
    for (Found f : list()) {
      if (!spec.name().equals(f.service())) {
        continue;
      }
      if (f.running() && f.replica().index() < spec.replicas()) {
        replicas.add(f.replica());
      } else {
        end(spec.name(), f.replica(), Duration.ZERO);
      }
    }
    return new Service(spec, replicas);
  }

  /** The replicas keep running for the next server to adopt. */
  @Override
  public void close() {}
}
