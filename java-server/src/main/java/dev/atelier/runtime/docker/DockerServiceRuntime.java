package dev.atelier.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import dev.atelier.runtime.LoopbackPorts;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services as containers on a Docker engine. Each replica's port is published on 127.0.0.1 only
 * (never on other addresses, and no bridge address is ever dialled); the program listens inside
 * its container on the port it is told in {@code PORT} (published as the same number), or on the
 * spec's fixed container port. Labels carry the owner, service, index and port, so a restarted
 * server finds and adopts its replicas. Containers restart on their own only through
 * {@link #replace}, where the caller decides.
 */
public final class DockerServiceRuntime implements ServiceRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(DockerServiceRuntime.class);
  static final String LABEL_OWNER = "dev.atelier.service-owner";
  static final String LABEL_SERVICE = "dev.atelier.service";
  static final String LABEL_INDEX = "dev.atelier.service-replica";
  static final String LABEL_PORT = "dev.atelier.service-port";
  /** Tries of a new port when the one picked was taken before the engine bound it. */
  private static final int PORT_TRIES = 3;

  private final DockerEngine engine;
  private final DockerClient docker;
  private final String owner;
  private final String user;

  /**
   * @param engine the engine's shared client; closed by whoever created it, not here
   * @param owner who the containers belong to (a label), such as the server's user
   * @param user {@code uid:gid} replicas run as, or null for the image's user
   */
  public DockerServiceRuntime(DockerEngine engine, String owner, String user) {
    this.engine = engine;
    this.docker = engine.client();
    this.owner = owner;
    this.user = user;
  }

  @Override
  public String name() {
    return "docker";
  }

  @Override
  public Service start(ServiceSpec spec) {
    engine.requireImage(spec.image());
    List<Replica> started = new ArrayList<>();
    try {
      for (int i = 0; i < spec.replicas(); i++) {
        started.add(launch(spec, i));
      }
    } catch (RuntimeException e) {
      started.forEach(r -> removeQuietly(r.id()));
      throw e;
    }
    return new Service(spec, started);
  }

  private Replica launch(ServiceSpec spec, int index) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < PORT_TRIES; attempt++) {
      int port = LoopbackPorts.take();
      String id = create(spec, index, port);
      try {
        docker.startContainerCmd(id).exec();
        Instant started = Instant.parse(docker.inspectContainerCmd(id).exec().getState().getStartedAt());
        LOG.info("service {} replica {} started as container {} on 127.0.0.1:{}", spec.name(), index,
            id.substring(0, 12), port);
        return new Replica(id, index, port, started);
      } catch (NotFoundException e) {
        removeQuietly(id);
        throw RuntimeFailure.failed("service " + spec.name() + " replica " + index + " could not start: "
            + RuntimeFailure.rootMessage(e), e);
      } catch (RuntimeException e) {
        // Most often the port was taken between the pick and the engine's bind: try another one.
        removeQuietly(id);
        last = e;
      }
    }
    throw RuntimeFailure.failed("service " + spec.name() + " replica " + index + " could not start: "
        + RuntimeFailure.rootMessage(last), last);
  }

  private String create(ServiceSpec spec, int index, int port) {
    Map<String, String> labels = new LinkedHashMap<>(spec.labels());
    labels.put(LABEL_OWNER, owner);
    labels.put(LABEL_SERVICE, spec.name());
    labels.put(LABEL_INDEX, Integer.toString(index));
    labels.put(LABEL_PORT, Integer.toString(port));
    int inside = spec.containerPort() > 0 ? spec.containerPort() : port;
    ExposedPort exposed = ExposedPort.tcp(inside);
    Ports ports = new Ports();
    ports.bind(exposed, Ports.Binding.bindIpAndPort("127.0.0.1", port));
    List<Bind> binds = new ArrayList<>();
    spec.binds().forEach((host, path) -> binds.add(path.endsWith(READ_ONLY)
        ? new Bind(host, new Volume(path.substring(0, path.length() - READ_ONLY.length())), AccessMode.ro)
        : new Bind(host, new Volume(path))));
    HostConfig host = DockerEngine.limit(HostConfig.newHostConfig().withInit(true).withBinds(binds)
        .withPortBindings(ports), spec.cpus(), spec.memoryBytes());
    List<String> env = new ArrayList<>();
    spec.env().forEach((k, v) -> env.add(k + "=" + v));
    env.add(PORT_VARIABLE + "=" + inside);
    // Inside its own network namespace: only the port published on 127.0.0.1 reaches it.
    env.add(BIND_VARIABLE + "=0.0.0.0");
    byte[] suffix = new byte[3];
    new SecureRandom().nextBytes(suffix);
    try (CreateContainerCmd cmd = docker.createContainerCmd(spec.image())) {
      cmd.withName("atelier-service-" + spec.name() + "-" + index + "-" + HexFormat.of().formatHex(suffix))
          .withLabels(labels).withEnv(env).withExposedPorts(exposed).withHostConfig(host);
      if (user != null) {
        cmd.withUser(user);
      }
      if (!spec.entrypoint().isEmpty()) {
        cmd.withEntrypoint(spec.entrypoint());
        cmd.withCmd(spec.command()); // the image's command belongs to the image's entrypoint
      } else if (!spec.command().isEmpty()) {
        cmd.withCmd(spec.command());
      }
      return cmd.exec().getId();
    } catch (NotFoundException e) {
      throw RuntimeFailure.imageMissing(spec.image());
    }
  }

  @Override
  public boolean running(Replica replica) {
    try {
      return Boolean.TRUE.equals(docker.inspectContainerCmd(replica.id()).exec().getState().getRunning());
    } catch (NotFoundException e) {
      return false;
    }
  }

  @Override
  public Service replace(Service service, int index) {
    Replica old = service.replica(index);
    if (old != null) {
      removeQuietly(old.id());
    }
    return service.with(launch(service.spec(), index));
  }

  @Override
  public void stop(Service service, Duration grace) {
    // Every replica gets its SIGTERM at once, so the grace period is not spent replica by replica.
    List<Thread> stops = new ArrayList<>();
    for (Replica r : service.replicas()) {
      stops.add(Thread.ofVirtual().name("service-stop-" + r.index()).start(() -> {
        engine.stop(r.id(), grace);
        engine.remove(r.id());
      }));
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

  @Override
  public List<Found> list() {
    List<Found> out = new ArrayList<>();
    for (Container c : docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(LABEL_OWNER, owner)).exec()) {
      Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
      try {
        var state = docker.inspectContainerCmd(c.getId()).exec().getState();
        Replica r = new Replica(c.getId(), Integer.parseInt(labels.get(LABEL_INDEX)),
            Integer.parseInt(labels.get(LABEL_PORT)), Instant.parse(state.getStartedAt()));
        out.add(new Found(labels.get(LABEL_SERVICE), r, Boolean.TRUE.equals(state.getRunning())));
      } catch (NotFoundException e) {
        // removed meanwhile
      } catch (RuntimeException e) {
        LOG.warn("container {} carries no service labels Atelier can read: {}", c.getId().substring(0, 12),
            e.toString());
      }
    }
    return out;
  }

  @Override
  public Service adopt(ServiceSpec spec) {
    List<Replica> replicas = new ArrayList<>();
    for (Found f : list()) {
      if (!spec.name().equals(f.service())) {
        continue;
      }
      if (f.running() && f.replica().index() < spec.replicas() && replicas.stream()
          .noneMatch(r -> r.index() == f.replica().index())) {
        replicas.add(f.replica());
      } else {
        removeQuietly(f.replica().id());
      }
    }
    replicas.sort(java.util.Comparator.comparingInt(Replica::index));
    return new Service(spec, replicas);
  }

  @Override
  public Usage usage(Service service, Replica replica) {
    return ContainerStats.read(docker, replica.id());
  }

  private void removeQuietly(String id) {
    try {
      engine.remove(id);
    } catch (RuntimeException e) {
      LOG.warn("could not remove container {}: {}", id.substring(0, 12), RuntimeFailure.rootMessage(e));
    }
  }

  /** The engine is the creator's to close; the services keep running. */
  @Override
  public void close() {}
}
