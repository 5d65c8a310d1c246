package dev.atelier.debugger;

import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.http.Capability;
import dev.atelier.http.EventStream;
import dev.atelier.jobs.JobService;
import dev.atelier.jobs.TrainingCompanion;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.storage.ObjectStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * The debugger (SageMaker Debugger's promise on one's own machines): a training job's tensors
 * saved by the hook and uploaded while it runs, rules evaluated beside it in containers of their
 * own, its container profiled; the statuses in the job's description and on the event stream
 * ({@code debugger} frames, to the job's owner), and the routes of the Debugger view. The jobs
 * capability runs it through its {@link TrainingCompanion} seam ({@link #companion()}).
 */
public final class DebuggerCapability implements Capability {
  /** The image the built-in rules run in, which carries the {@code atelier} package's rule runner. */
  public static final String BUILT_IN_RULE_IMAGE = "atelier/datascience:latest";

  private final Debugger debugger;
  private final DebugRoutes routes;

  /**
   * @param runtime where rule containers run (the jobs' runtime), null without Docker
   * @param defaultBucket the bucket debugger output may always go to
   * @param region the region in the ARNs of rule evaluations
   */
  public DebuggerCapability(Vertx vertx, JobService jobs, BatchRuntime runtime, ObjectStore store, InstanceCatalog types,
      String defaultBucket, String region, EventStream events) {
    this.debugger = new Debugger(runtime, store, types, defaultBucket, BUILT_IN_RULE_IMAGE, region, Clock.systemUTC(),
        (frame, owner) -> events.publish("debugger", frame, owner));
    this.routes = new DebugRoutes(vertx, jobs, store);
  }

  /** What the job service runs beside training jobs ({@link JobService#superviseTrainingWith}). */
  public TrainingCompanion companion() {
    return debugger;
  }

  @Override
  public String name() {
    return "debugger";
  }

  @Override
  public void mount(Router router, String baseUrl) {
    routes.mount(router, baseUrl);
  }
}
