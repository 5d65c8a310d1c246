package dev.atelier.runtime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where endpoints run: long-running services of N replicas, each listening on its own port on
 * 127.0.0.1 (the only address the server dials), checked by an HTTP GET of a health path,
 * replaced one by one when they die, stopped with a grace period, and found again by their labels
 * after a server restart: services outlive the server that started them. Failures are
 * {@link RuntimeFailure}s. Calls block: run them on virtual threads. Implementations: containers
 * on a Docker engine ({@link dev.atelier.runtime.docker.DockerServiceRuntime}), local processes
 * ({@link dev.atelier.runtime.process.ProcessServiceRuntime}).
 */
public interface ServiceRuntime extends AutoCloseable {
  /** The variable that tells a replica the port to listen on. */
  String PORT_VARIABLE = "PORT";
  /** The variable that tells a replica the address to bind ({@code 127.0.0.1}, or all inside a container). */
  String BIND_VARIABLE = "BIND_ADDRESS";
  /** A bind's path ending with this is mounted read-only ({@code /opt/ml/model:ro}). */
  String READ_ONLY = ":ro";

  /**
   * A service to run.
   *
   * @param name unique among this runtime's services (letters, digits, {@code .}, {@code _}, {@code -})
   * @param image the image its replicas run (ignored by the process runtime)
   * @param entrypoint replaces the image's entrypoint (null or empty: the image's); for the
   *     process runtime, the start of the command line
   * @param command replaces the image's command (null or empty: the image's); for the process
   *     runtime, the rest of the command line
   * @param env added to every replica's environment, besides {@link #PORT_VARIABLE} and
   *     {@link #BIND_VARIABLE}
   * @param labels extra labels naming what the service is for (such as its endpoint)
   * @param binds host folder to the path it is mounted at inside (containers only); a path ending
   *     with {@link #READ_ONLY} is mounted read-only
   * @param replicas how many copies run, each on its own port
   * @param cpus CPU limit per replica in cores (0: none)
   * @param memoryBytes memory limit per replica (0: none)
   * @param healthPath the path a healthy replica answers with a 2xx, such as {@code /ping}
   * @param containerPort the port the program listens on inside its container, published on the
   *     replica's port; 0 when it listens on the port it is told in {@link #PORT_VARIABLE}
   */
  record ServiceSpec(
      String name,
      String image,
      List<String> entrypoint,
      List<String> command,
      Map<String, String> env,
      Map<String, String> labels,
      Map<String, String> binds,
      int replicas,
      double cpus,
      long memoryBytes,
      String healthPath,
      int containerPort) {
    public ServiceSpec {
      if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
        throw RuntimeFailure.refused("service name '" + name + "' must be 1-63 letters, digits, '.', '_' or '-'");
      }
      if (replicas < 1) {
        throw RuntimeFailure.refused("service " + name + " needs at least one replica, not " + replicas);
      }
      if (healthPath == null || !healthPath.startsWith("/")) {
        throw RuntimeFailure.refused("service " + name + ": the health path must start with '/'");
      }
      env = env == null ? Map.of() : Map.copyOf(env);
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      binds = binds == null ? Map.of() : Map.copyOf(binds);
      entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
      command = command == null ? List.of() : List.copyOf(command);
    }
  }

  /**
   * One running copy of a service.
   *
   * @param id a container id, or {@code pid-N}
   * @param index 0 to replicas - 1; a replacement keeps the index of the replica it replaces
   * @param port where it answers, on 127.0.0.1
   */
  record Replica(String id, int index, int port, Instant startedAt) {}

  /** A service and its replicas, by index; an adopted service may lack some (see {@link #missing()}). */
  record Service(ServiceSpec spec, List<Replica> replicas) {
    public Service {
      replicas = List.copyOf(replicas);
    }

    public String name() {
      return spec.name();
    }

    /** The replica at {@code index}, or null when there is none. */
    public Replica replica(int index) {
      return replicas.stream().filter(r -> r.index() == index).findFirst().orElse(null);
    }

    /** Indexes below {@code spec.replicas()} without a replica. */
    public List<Integer> missing() {
      return java.util.stream.IntStream.range(0, spec.replicas()).filter(i -> replica(i) == null).boxed().toList();
    }

    /** This service with {@code replica} in place of the one at its index. */
    public Service with(Replica replica) {
      List<Replica> out = new java.util.ArrayList<>(
          replicas.stream().filter(r -> r.index() != replica.index()).toList());
      out.add(replica);
      out.sort(java.util.Comparator.comparingInt(Replica::index));
      return new Service(spec, out);
    }
  }

  /** A replica this runtime's owner has, running or not, found by its labels. */
  record Found(String service, Replica replica, boolean running) {}

  /**
   * What a health check saw.
   *
   * @param status the HTTP status, or 0 when nothing answered
   * @param problem why it is not healthy, for a person (null when it is)
   */
  record Health(boolean healthy, int status, String problem) {}

  /**
   * What a replica uses, sampled at {@code at}.
   *
   * @param cpuPercent CPU time over the sampling interval, 100 being one core fully busy
   * @param memoryBytes memory in use, without the page cache (as {@code docker stats} shows it)
   * @param memoryLimitBytes the replica's memory limit, or the host's memory when it has none
   */
  record Usage(double cpuPercent, long memoryBytes, long memoryLimitBytes, Instant at) {}

  /** This runtime's name: {@code docker} or {@code process}. */
  String name();

  /** Starts every replica; returns once each has started (not once it is healthy: see {@link #health}). */
  Service start(ServiceSpec spec);

  /** Whether the replica's container or process is still running. */
  boolean running(Replica replica);

  /** A new replica in place of the one at {@code index} (which is ended first if it still runs). */
  Service replace(Service service, int index);

  /** SIGTERM to every replica, SIGKILL after {@code grace}; returns once all have ended and are removed. */
  void stop(Service service, Duration grace);

  /** Every replica of this runtime's owner, running or not: what a restarted server finds. */
  List<Found> list();

  /**
   * Takes over the running replicas of {@code spec.name()} that an earlier server started; those
   * that ended are removed and left {@link Service#missing() missing}, for the caller to replace.
   */
  Service adopt(ServiceSpec spec);

  /**
   * The replica's CPU and memory now, or null when it is not known (the replica has ended, or the
   * host does not say). Blocks for up to about a second (the CPU is measured over an interval):
   * call it off the request path.
   */
  Usage usage(Service service, Replica replica);

  /**
   * Whether the replica runs under its spec's CPU and memory limits.
   *
   * @param enforced false when the host refused them (then {@code problem} says why)
   * @param where what holds the limits: {@code container}, or the replica's cgroup directories
   */
  record Limits(boolean enforced, String problem, String where) {}

  /** The replica's limits as applied when it started; containers always get theirs. */
  default Limits limits(Replica replica) {
    return new Limits(true, null, "container");
  }

  /** Releases the runtime; services keep running for the next server to adopt. */
  @Override
  void close();

  /** GET {@code http://127.0.0.1:port/healthPath}: healthy on a 2xx within {@code timeout}. */
  default Health health(Service service, Replica replica, Duration timeout) {
    return ServiceHealth.get(replica.port(), service.spec().healthPath(), timeout);
  }

  /** The HTTP check both implementations share: replicas are reached on 127.0.0.1 alike. */
  final class ServiceHealth {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
        .version(HttpClient.Version.HTTP_1_1).build();

    private ServiceHealth() {}

    static Health get(int port, String path, Duration timeout) {
      URI uri = URI.create("http://127.0.0.1:" + port + path);
      try {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        int status = r.statusCode();
        return status / 100 == 2 ? new Health(true, status, null)
            : new Health(false, status, "GET " + path + " answered " + status);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Health(false, 0, "the health check was interrupted");
      } catch (java.io.IOException e) {
        return new Health(false, 0, "nothing answers GET " + path + " on 127.0.0.1:" + port + " ("
            + RuntimeFailure.rootMessage(e) + ")");
      }
    }
  }
}
