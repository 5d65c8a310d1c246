package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.config.AtelierConfig;
import dev.atelier.endpoints.capture.CaptureSink;
import dev.atelier.endpoints.router.VariantMetrics;
import dev.atelier.endpoints.scaling.AutoscaleScheduler;
import dev.atelier.http.Capability;
import dev.atelier.http.EventStream;
import dev.atelier.http.Json;
import dev.atelier.jobs.Job;
import dev.atelier.jobs.JobService;
import dev.atelier.runtime.ServiceRuntime;
import dev.atelier.runtime.docker.DockerEngine;
import dev.atelier.runtime.docker.DockerServiceRuntime;
import dev.atelier.runtime.process.Cgroups;
import dev.atelier.runtime.process.ProcessServiceRuntime;
import dev.atelier.storage.Database;
import dev.atelier.storage.ObjectStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hosting: models, endpoint configs and endpoints (SageMaker's shapes), their replicas on the
 * service runtimes (containers on the one Docker engine, or local processes for the {@code local}
 * image), invocations through the router, and an {@code endpoint} frame on the event stream at
 * every change. Endpoints outlive the server: the next one adopts their replicas.
 */
public final class EndpointsCapability implements Capability {
  /** SageMaker's: a container has 4 minutes to answer its first ping; a stopping one 30 seconds. */
  static final Duration READY_TIMEOUT = Duration.ofMinutes(4);
  static final Duration STOP_GRACE = Duration.ofSeconds(30);
  static final Duration MONITOR_INTERVAL = Duration.ofSeconds(5);
  static final Duration AUTOSCALE_PERIOD = Duration.ofSeconds(30);
  static final Duration USAGE_INTERVAL = Duration.ofSeconds(10);

  private final EndpointService service;
  private final EventStream events;
  private final EndpointRoutes routes;
  private final Invocations invocations;
  private final CaptureSink capture;
  private final ScalingAndCapture scaling;
  private final InstanceUsage usage;

  /**
   * @param engine the server's one Docker engine client, or null when Docker is not configured
   * @param owner the owner label of this server's containers
   * @param containerUser {@code uid:gid} replicas run as, or null
   * @param user who creates endpoints here (CreatedBy)
   */
  public EndpointsCapability(Vertx vertx, AtelierConfig config, Database db, ObjectStore objects, ImageCatalog images,
      InstanceCatalog types, JobService jobs, DockerEngine engine, String owner, String containerUser, String user,
      EventStream events) {
    Map<String, ServiceRuntime> runtimes = new HashMap<>();
    Path dir = config.dataDir().resolve("endpoints");
    // An owner of their own, kept at start: local replicas outlive the server, to be adopted.
    Cgroups cgroups = "none".equals(config.cgroupParent())
        ? Cgroups.off("cgroupParent is none: local endpoint instances run without their type's CPU and memory limits")
        : Cgroups.openKeeping(config.cgroupParent(), "endpoints_" + owner);
    runtimes.put("process", new ProcessServiceRuntime(dir.resolve("process"), cgroups));
    if (engine != null) {
      runtimes.put("docker", new DockerServiceRuntime(engine, owner, containerUser));
    }
    EndpointStore store = new EndpointStore(db);
    ModelsAndConfigs definitions = new ModelsAndConfigs(store, images, types,
        name -> jobs.describe(Job.TRAINING, name), config.s3Region(), user, Clock.systemUTC());
    this.service = new EndpointService(store, definitions, runtimes, objects, dir.resolve("models"),
        config.python(), user, Clock.systemUTC(), READY_TIMEOUT, STOP_GRACE, MONITOR_INTERVAL);
    this.events = events;
    CaptureSink.Options o = CaptureSink.Options.DEFAULTS;
    this.capture = new CaptureSink(objects, config.dataDir().resolve("capture"), new CaptureSink.Options(
        o.queueRecords(), o.queueBytes(), config.captureUpload(), o.fileRecords(), o.retryEvery(),
        config.captureSpoolMaxBytes()),
        () -> ThreadLocalRandom.current().nextDouble());
    // endpointMinuteSeconds: 60 s but in tests and benchmarks, for metrics and autoscaling alike.
    VariantMetrics metrics = new VariantMetrics(Duration.ofHours(24), config.endpointMinute(), System::currentTimeMillis);
    this.invocations = Invocations.routed(vertx, service, metrics, capture);
    this.usage = new InstanceUsage(service::deployments, USAGE_INTERVAL, config.endpointMinute(), Clock.systemUTC());
    this.routes = new EndpointRoutes(vertx, service, invocations, usage, objects.keys());
    this.scaling = new ScalingAndCapture(vertx, service, capture, AutoscaleScheduler.InvocationCounts.of(metrics),
        new ScalingStore(db), user, Clock.systemUTC(), config.endpointMinute());
    service.countInFlight(invocations::inFlight);
    service.onDeleted(invocations::forget);
    service.onDeleted(usage::forget);
    capture.start();
    service.adopt();
  }

  /** What the router reads. */
  public EndpointService service() {
    return service;
  }

  @Override
  public String name() {
    return "endpoints";
  }

  @Override
  public void start() {
    scaling.scheduler().start(AUTOSCALE_PERIOD);
    usage.start();
    service.onChange(d -> {
      ObjectNode frame = Json.mapper().createObjectNode();
      frame.put("type", "endpoint");
      if (d.path("deleted").asBoolean(false)) {
        d.remove("deleted");
        frame.put("deleted", true);
      }
      frame.set("endpoint", frame.has("deleted") ? d : usage.describe(d));
      events.publish("endpoint", frame);
    });
  }

  @Override
  public void mount(Router router, String baseUrl) {
    routes.mount(router, baseUrl);
    invocations.mount(router, baseUrl);
    scaling.mount(router, baseUrl);
  }

  @Override
  public void mountRoot(Router router) {
    invocations.mountRoot(router);
  }

  /** The replicas keep running; the next server adopts them; captured records not uploaded stay spooled. */
  @Override
  public void close() {
    scaling.scheduler().close();
    usage.close();
    service.close();
    capture.close();
  }
}
