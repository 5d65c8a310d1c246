package dev.atelier.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Capability;
import dev.atelier.http.EventStream;
import dev.atelier.http.Json;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** Jobs: training and processing jobs' API, and a {@code job} frame on the event stream at each change. */
public final class JobsCapability implements Capability {
  private final JobService jobs;
  private final EventStream events;
  private final JobRoutes routes;

  public JobsCapability(Vertx vertx, JobService jobs, EventStream events) {
    this.jobs = jobs;
    this.events = events;
    this.routes = new JobRoutes(vertx, jobs);
  }

  @Override
  public String name() {
    return "jobs";
  }

  @Override
  public void start() {
    jobs.onChange(summary -> {
      ObjectNode frame = Json.mapper().createObjectNode();
      frame.put("type", "job");
      frame.set("job", summary);
      events.publish("job", frame);
    });
  }

  @Override
  public void mount(Router router, String baseUrl) {
    routes.mount(router, baseUrl);
  }

  /** Running jobs keep running in their containers; the next server picks them up. */
  @Override
  public void close() {
    jobs.close();
  }
}
