package dev.atelier.runtime.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.RuntimeFailure;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@link BatchRuntime} as local processes (the {@code local} image): a job runs as a host
 * process of the server's user, under its type's CPU and memory limits in a cgroup of its own
 * where the host allows it ({@link Cgroups}), behind a small relay ({@link BatchRelay}) in its own
 * session that keeps its output and its exit in the job's folder, so the job outlives the server
 * and a restarted one finds it by its labels. There is no image and no other user: a mount must be
 * the same path inside as on the host (the process sees the host's files).
 */
public final class ProcessBatchRuntime implements BatchRuntime {
  public static final String LOCAL = "local";
  private static final String SETSID = "/usr/bin/setsid";
  private static final Duration POLL = Duration.ofMillis(100);

  private final Path stateDir;
  private final String python;
  private final Cgroups cgroups;

  /**
   * @param stateDir where each job's record, output and exit are kept, one folder per job
   * @param python the interpreter the relay runs on
   * @param cgroups where jobs get their limits: {@link Cgroups#openKeeping}, with an owner of its own,
   *     so that a restarted server does not end the running jobs as leftovers
   */
  public ProcessBatchRuntime(Path stateDir, String python, Cgroups cgroups) {
    this.stateDir = stateDir;
    this.python = python;
    this.cgroups = cgroups;
  }

  @Override
  public String name() {
    return "process";
  }

  @Override
  public void requireImage(String image) {
    if (!LOCAL.equals(image)) {
      throw RuntimeFailure.refused("image " + image + " needs a container runtime; local jobs run the image '"
          + LOCAL + "' (the server's own environment)");
    }
  }

  @Override
  public String create(Spec spec) {
    requireImage(spec.image());
    spec.binds().forEach((host, inside) -> {
      if (!Path.of(host).normalize().equals(Path.of(inside).normalize())) {
        throw RuntimeFailure.refused("a local job sees the host's files: it cannot mount " + host + " at " + inside);
      }
    });
    List<String> argv = new ArrayList<>();
    if (spec.entrypoint() != null) {
      argv.addAll(spec.entrypoint());
    }
    if (spec.command() != null) {
      argv.addAll(spec.command());
    }
    if (argv.isEmpty()) {
      throw RuntimeFailure.refused("a local job needs the command line to run");
    }
    byte[] b = new byte[8];
    new SecureRandom().nextBytes(b);
    String id = "job-" + HexFormat.of().formatHex(b);
    ObjectNode record = Json.mapper().createObjectNode();
    record.put("name", spec.name()).put("cpus", spec.cpus()).put("memory_bytes", spec.memoryBytes());
    record.set("argv", Json.mapper().valueToTree(argv));
    record.set("env", Json.mapper().valueToTree(spec.env() == null ? Map.of() : spec.env()));
    record.set("labels", Json.mapper().valueToTree(spec.labels() == null ? Map.of() : spec.labels()));
    try {
      Files.createDirectories(dir(id));
      write(id, "job.json", record);
    } catch (IOException e) {
      throw RuntimeFailure.failed("cannot keep a local job in " + stateDir + ": " + e.getMessage(), e);
    }
    return id;
  }

  @Override
  public void start(String id) {
    JsonNode record = record(id).orElseThrow(() -> RuntimeFailure.failed("no local job " + id, null));
    InstanceCgroup cgroup = null;
    ObjectNode started = Json.mapper().createObjectNode();
    double cpus = record.path("cpus").asDouble();
    long memory = record.path("memory_bytes").asLong();
    if (cpus > 0 || memory > 0) {
      try {
        cgroup = cgroups.create(id.substring("job-".length()), cpus, memory);
        started.set("cgroup", Json.mapper().valueToTree(cgroup.dirs().stream().map(Path::toString).toList()));
        started.put("memory_v2", cgroup.memoryV2());
      } catch (AgentException e) {
        started.put("limits_problem", e.getMessage());
      }
    }
    List<String> command = new ArrayList<>();
    if (new File(SETSID).canExecute()) {
      command.add(SETSID); // its own session: it outlives the server and a Ctrl-C meant for it
    }
    command.addAll(List.of(python, "-c", BatchRelay.SCRIPT, dir(id).toString()));
    record.path("argv").forEach(a -> command.add(a.asText()));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir(id).toFile());
    record.path("env").properties().forEach(e -> pb.environment().put(e.getKey(), e.getValue().asText()));
    if (cgroup != null) {
      pb.environment().put("ATELIER_JOB_CGROUPS", String.join(File.pathSeparator,
          cgroup.dirs().stream().map(d -> d.resolve("cgroup.procs").toString()).toList()));
    }
    // Not pipes: a relay writing to the pipe of a server that has gone would die of SIGPIPE.
    pb.redirectInput(new File("/dev/null"));
    pb.redirectOutput(dir(id).resolve("relay.log").toFile());
    pb.redirectErrorStream(true);
    try {
      Process p = pb.start();
      started.put("pid", p.pid()).put("started", p.info().startInstant().orElse(Instant.now()).toString());
      write(id, "started.json", started);
    } catch (IOException e) {
      if (cgroup != null) {
        cgroup.remove();
      }
      throw RuntimeFailure.failed("local job " + record.path("name").asText() + " could not start: " + e.getMessage(), e);
    }
  }

  @Override
  public List<Found> find(String label, String value) {
    List<Found> out = new ArrayList<>();
    if (!Files.isDirectory(stateDir)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(stateDir)) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        String id = d.getFileName().toString();
        record(id).ifPresent(r -> {
          if (value.equals(r.path("labels").path(label).asText(null))) {
            Map<String, String> labels = new LinkedHashMap<>();
            r.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.add(new Found(id, running(id).orElse(false), labels));
          }
        });
      }
    } catch (IOException e) {
      throw RuntimeFailure.failed("cannot read the local jobs in " + stateDir + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public Optional<Boolean> running(String id) {
    if (record(id).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(!Files.exists(dir(id).resolve("exit.json")) && relay(id).isPresent());
  }

  /** The relay's process, when it is still the one that was started (not a reused pid). */
  private Optional<ProcessHandle> relay(String id) {
    JsonNode s = read(id, "started.json").orElse(null);
    if (s == null) {
      return Optional.empty();
    }
    Instant started = Instant.parse(s.path("started").asText());
    return ProcessHandle.of(s.path("pid").asLong()).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().startInstant().map(t -> Duration.between(t, started).abs().toMillis() < 1000).orElse(true));
  }

  @Override
  public Follow follow(String id, String sinceTimestamp, LineSink sink) {
    Instant after = sinceTimestamp == null ? null : Instant.parse(sinceTimestamp);
    Path log = dir(id).resolve("output.log");
    Thread reader = Thread.ofVirtual().name("job-follow-" + id).start(() -> {
      try {
        while (!Files.exists(log) && running(id).orElse(false)) {
          Thread.sleep(POLL);
        }
        if (!Files.exists(log)) {
          return;
        }
        try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
          StringBuilder partial = new StringBuilder();
          while (!Thread.currentThread().isInterrupted()) {
            int c = in.read();
            if (c == -1) {
              if (!running(id).orElse(false)) {
                // ended: what the relay wrote before its exit is all there (read to the end once more)
                String rest = partial + readRest(in);
                rest.lines().forEach(l -> deliver(l, after, sink));
                return;
              }
              Thread.sleep(POLL);
            } else if (c == '\n') {
              deliver(partial.toString(), after, sink);
              partial.setLength(0);
            } else {
              partial.append((char) c);
            }
          }
        }
      } catch (InterruptedException e) {
        // closed
      } catch (IOException e) {
        sink.line(Instant.now().toString(), true, "the job's output cannot be read: " + e.getMessage());
      }
    });
    return new Follow() {
      @Override
      public void awaitEnd(Duration max) throws InterruptedException {
        reader.join(max);
      }

      @Override
      public void close() {
        reader.interrupt();
      }
    };
  }

  private static String readRest(BufferedReader in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) != -1; ) {
      b.append((char) c);
    }
    return b.toString();
  }

  /** One log line: {@code TIMESTAMP O|E TEXT}. */
  private static void deliver(String line, Instant after, LineSink sink) {
    int a = line.indexOf(' ');
    if (a < 0 || line.length() < a + 2) {
      return;
    }
    String ts = line.substring(0, a);
    if (after != null && !Instant.parse(ts).isAfter(after)) {
      return;
    }
    sink.line(ts, line.charAt(a + 1) == 'E', line.length() > a + 3 ? line.substring(a + 3) : "");
  }

  @Override
  public Exit await(String id) {
    while (running(id).orElse(false)) {
      Optional<ProcessHandle> relay = relay(id);
      try {
        if (relay.isPresent()) {
          relay.get().onExit().get(1, TimeUnit.SECONDS);
        }
      } catch (java.util.concurrent.TimeoutException e) {
        // still running: look again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RuntimeFailure.failed("interrupted while waiting for local job " + id, e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw RuntimeFailure.failed("cannot wait for local job " + id + ": " + e.getMessage(), e);
      }
    }
    JsonNode exit = read(id, "exit.json").orElse(null);
    boolean oom = cgroup(id).map(c -> c.oomKills() > 0).orElse(false);
    if (exit == null) {
      return new Exit(137, oom, oom ? null : "the job's process ended before its exit was recorded");
    }
    return new Exit(exit.path("code").asLong(), oom, exit.path("error").asText(null));
  }

  private Optional<InstanceCgroup> cgroup(String id) {
    return read(id, "started.json").filter(s -> s.path("cgroup").isArray() && !s.path("cgroup").isEmpty())
        .map(s -> new InstanceCgroup(s.path("cgroup").valueStream().map(n -> Path.of(n.asText())).toList(),
            s.path("memory_v2").asBoolean()));
  }

  @Override
  public void stop(String id, Duration grace) {
    Optional<ProcessHandle> relay = relay(id);
    if (relay.isEmpty() || Files.exists(dir(id).resolve("exit.json"))) {
      return;
    }
    ProcessHandle h = relay.get();
    // The relay passes the SIGTERM on to the job.
    if (!Termination.end(h, h.descendants().toList(), grace)) {
      throw RuntimeFailure.failed("local job " + id + " (pid " + h.pid() + ") did not end", null);
    }
  }

  @Override
  public void remove(String id) {
    stop(id, Duration.ZERO);
    cgroup(id).ifPresent(InstanceCgroup::remove);
    Path d = dir(id);
    if (!Files.isDirectory(d)) {
      return;
    }
    try (Stream<Path> files = Files.walk(d)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw RuntimeFailure.failed("cannot remove local job " + id + " in " + d + ": " + e.getMessage(), e);
    }
  }

  /** The jobs keep running for the next server to adopt. */
  @Override
  public void close() {}

  private Path dir(String id) {
    if (!id.matches("job-[0-9a-f]{16}")) {
      throw RuntimeFailure.refused("no local job " + id);
    }
    return stateDir.resolve(id);
  }

  private Optional<JsonNode> record(String id) {
    return read(id, "job.json");
  }

  private Optional<JsonNode> read(String id, String file) {
    Path p = dir(id).resolve(file);
    try {
      return Files.exists(p) ? Optional.of(Json.mapper().readTree(Files.readString(p))) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private void write(String id, String file, JsonNode n) throws IOException {
    Path tmp = dir(id).resolve(file + ".tmp");
    Files.writeString(tmp, Json.encode(n));
    Files.move(tmp, dir(id).resolve(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
