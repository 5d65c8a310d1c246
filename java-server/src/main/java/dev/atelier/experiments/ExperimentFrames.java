package dev.atelier.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.experiments.Model.Experiment;
import dev.atelier.experiments.Model.Run;
import dev.atelier.http.EventStream;
import dev.atelier.http.Json;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The experiments' frames on the event stream, coalesced: a run or experiment that changed is
 * marked, and every {@link #PERIOD_MS} the marked ones are read once and published, so a run that
 * logs a thousand times a second still makes at most four frames a second.
 * {@code {"type": "run", "run": {...}}} carries the run as {@code runs/get} returns it (each
 * metric's latest value); {@code {"type": "experiment", "experiment": {...}, "run_count": n}} the
 * experiment as {@code experiments/get} returns it and its active runs. Nothing is read while no
 * socket listens (a panel that connects loads what it shows).
 */
final class ExperimentFrames {
  static final long PERIOD_MS = 250;
  private static final Logger LOG = LoggerFactory.getLogger(ExperimentFrames.class);

  private final Vertx vertx;
  private final ExperimentService service;
  private final EventStream events;
  private final Set<String> runs = ConcurrentHashMap.newKeySet();
  private final Set<Long> experiments = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean flushing = new AtomicBoolean();
  private long timer = -1;

  ExperimentFrames(Vertx vertx, ExperimentService service, EventStream events) {
    this.vertx = vertx;
    this.service = service;
    this.events = events;
  }

  void start() {
    service.onChange(runs::add, experiments::add);
    timer = vertx.setPeriodic(PERIOD_MS, t -> flush());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void flush() {
    if (runs.isEmpty() && experiments.isEmpty()) {
      return;
    }
    // One flush at a time: a slow database delays frames rather than piling up reads.
    if (!flushing.compareAndSet(false, true)) {
      return;
    }
    List<String> runIds = drain(runs);
    List<Long> experimentIds = drain(experiments);
    if (!events.hasSubscribers()) {
      flushing.set(false);
      return;
    }
    vertx.executeBlocking(() -> {
      for (String id : runIds) {
        publishRun(id);
      }
      for (long id : experimentIds) {
        publishExperiment(id);
      }
      return null;
    }, false).onComplete(x -> flushing.set(false));
  }

  private static <T> List<T> drain(Set<T> marked) {
    List<T> out = new ArrayList<>();
    for (T id : marked) {
      if (marked.remove(id)) {
        out.add(id);
      }
    }
    return out;
  }

  private void publishRun(String id) {
    try {
      Run run = service.run(id);
      ObjectNode frame = Json.mapper().createObjectNode();
      frame.put("type", "run");
      frame.set("run", MlflowJson.run(run));
      events.publish("run", frame, run.info().owner());
    } catch (RuntimeException e) {
      LOG.debug("no frame for run {}: {}", id, e.toString());
    }
  }

  private void publishExperiment(long id) {
    try {
      Experiment e = service.experiment(Long.toString(id));
      ObjectNode frame = Json.mapper().createObjectNode();
      frame.put("type", "experiment");
      frame.set("experiment", MlflowJson.experiment(e));
      frame.put("run_count", service.runCount(id));
      events.publish("experiment", frame, e.owner());
    } catch (RuntimeException e) {
      LOG.debug("no frame for experiment {}: {}", id, e.toString());
    }
  }
}
