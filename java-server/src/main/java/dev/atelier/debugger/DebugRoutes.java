package dev.atelier.debugger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import dev.atelier.jobs.Fields;
import dev.atelier.jobs.Job;
import dev.atelier.jobs.JobService;
import dev.atelier.storage.NoSuchObjectException;
import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStore.ObjectInfo;
import dev.atelier.storage.ObjectStore.S3Uri;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * What the Debugger view reads, under {@code {base}atelier/api/training-jobs/{name}/debugger}: the
 * rule statuses and where the job's debugger data is, the profiler's samples, the tensor steps and
 * a step's index entries. Everything but the statuses is read from S3, so a finished job's view
 * needs nothing but its objects.
 */
final class DebugRoutes {
  private static final int MAX_SAMPLES = 100_000;

  private final Vertx vertx;
  private final JobService jobs;
  private final ObjectStore store;

  DebugRoutes(Vertx vertx, JobService jobs, ObjectStore store) {
    this.vertx = vertx;
    this.jobs = jobs;
    this.store = store;
  }

  void mount(Router router, String baseUrl) {
    String path = baseUrl + "atelier/api/training-jobs/:name/debugger";
    router.get(path).handler(ctx -> ok(ctx, () -> overview(describe(ctx))));
    router.get(path + "/profiler").handler(ctx -> ok(ctx, () -> profiler(ctx, describe(ctx))));
    router.get(path + "/steps").handler(ctx -> ok(ctx, () -> steps(describe(ctx))));
    router.get(path + "/steps/:step").handler(ctx -> ok(ctx, () -> step(ctx, describe(ctx))));
  }

  private void ok(RoutingContext ctx, Callable<Object> work) {
    vertx.executeBlocking(work, false).onSuccess(b -> Routes.json(ctx, 200, b)).onFailure(ctx::fail);
  }

  private ObjectNode describe(RoutingContext ctx) {
    String n = ctx.pathParam("name");
    if (n == null || !Fields.NAME.matcher(n).matches()) {
      throw ApiException.badRequest("name: '" + (n == null ? "" : n.length() > 80 ? n.substring(0, 77) + "..." : n)
          + "' is not a job name (1-63 letters, digits and hyphens)");
    }
    return jobs.describe(Job.TRAINING, n);
  }

  /** The statuses as DescribeTrainingJob has them, and the S3 locations of the job's debugger data. */
  private Object overview(ObjectNode d) {
    ObjectNode o = Json.mapper().createObjectNode();
    String name = d.path("TrainingJobName").asText();
    o.put("TrainingJobName", name);
    o.put("TrainingJobStatus", d.path("TrainingJobStatus").asText());
    o.put("ProfilingStatus", d.path("ProfilingStatus").asText("Disabled"));
    S3Uri tensors = tensors(d);
    o.put("TensorsS3Uri", tensors == null ? null : tensors.toString());
    S3Uri samples = samples(d);
    o.put("ProfilerS3Uri", samples == null ? null : samples.toString());
    o.set("DebugRuleEvaluationStatuses", d.path("DebugRuleEvaluationStatuses").isArray()
        ? d.get("DebugRuleEvaluationStatuses") : Json.mapper().createArrayNode());
    o.set("ProfilerRuleEvaluationStatuses", d.path("ProfilerRuleEvaluationStatuses").isArray()
        ? d.get("ProfilerRuleEvaluationStatuses") : Json.mapper().createArrayNode());
    return o;
  }

  /** Samples after {@code after} (epoch seconds), oldest first, at most {@code limit}. */
  private Object profiler(RoutingContext ctx, ObjectNode d) {
    double after = number(ctx, "after", Double.NEGATIVE_INFINITY);
    double l = number(ctx, "limit", 10_000);
    int limit = (int) l;
    if (l != limit || limit < 1 || limit > MAX_SAMPLES) {
      throw ApiException.badRequest("limit: must be a whole number from 1 to " + MAX_SAMPLES);
    }
    ObjectNode o = Json.mapper().createObjectNode();
    ArrayNode list = o.putArray("samples");
    S3Uri prefix = samples(d);
    o.put("ProfilingIntervalInMilliseconds", d.path("ProfilerConfig").path("ProfilingIntervalInMilliseconds").asLong(500));
    if (prefix == null) {
      return o;
    }
    boolean more = false;
    outer:
    for (ObjectInfo f : store.list(prefix.child("system/"))) {
      if (!f.key().endsWith(".jsonl")) {
        continue;
      }
      try (BufferedReader r = new BufferedReader(new InputStreamReader(store.get(new S3Uri(prefix.bucket(), f.key())),
          StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          JsonNode s = parse(line);
          if (s != null && s.path("ts").asDouble() > after) {
            if (list.size() == limit) {
              more = true;
              break outer;
            }
            list.add(s);
          }
        }
      } catch (IOException | NoSuchObjectException e) {
        // a file replaced while it was read: the next request reads it whole
      }
    }
    o.put("more", more);
    return o;
  }

  /** The steps saved so far (from the S3 index), with their workers. */
  private Object steps(ObjectNode d) {
    ObjectNode o = Json.mapper().createObjectNode();
    ArrayNode list = o.putArray("steps");
    S3Uri tensors = tensors(d);
    if (tensors == null) {
      o.put("ended", false);
      return o;
    }
    Map<Long, ArrayNode> steps = new TreeMap<>();
    for (ObjectInfo f : store.list(tensors.child("index/"))) {
      String rel = f.key().substring(f.key().lastIndexOf('/') + 1);
      int us = rel.indexOf('_');
      if (!rel.endsWith(".json") || us < 1) {
        continue;
      }
      try {
        long step = Long.parseLong(rel.substring(0, us));
        steps.computeIfAbsent(step, s -> Json.mapper().createArrayNode()).add(rel.substring(us + 1, rel.length() - 5));
      } catch (NumberFormatException e) {
        // not an index entry of the format
      }
    }
    steps.forEach((step, workers) -> list.addObject().put("step", step).set("workers", workers));
    o.put("ended", store.stat(tensors.child(TensorUploader.END_MARKER)).isPresent());
    return o;
  }

  /** A step's index entries, one per worker, as the hook wrote them. */
  private Object step(RoutingContext ctx, ObjectNode d) {
    String s = ctx.pathParam("step");
    long step;
    try {
      step = Long.parseLong(s);
      if (step < 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("step: '" + s + "' is not a step number");
    }
    S3Uri tensors = tensors(d);
    if (tensors == null) {
      throw ApiException.notFound("the training job saves no tensors (it has no DebugHookConfig)");
    }
    String folder = String.format("%012d", step);
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("step", step);
    ArrayNode entries = o.putArray("index");
    for (ObjectInfo f : store.list(tensors.child("index/" + folder + "/"))) {
      try (var in = store.get(new S3Uri(tensors.bucket(), f.key()))) {
        JsonNode n = Json.mapper().readTree(in);
        String file = f.key().substring(f.key().lastIndexOf('/') + 1);
        ObjectNode e = entries.addObject();
        e.put("worker", file.substring(file.indexOf('_') + 1, file.length() - 5));
        e.put("event_file", tensors.child("events/" + folder + "/" + file.substring(0, file.length() - 5) + ".atd")
            .toString());
        e.set("entry", n);
      } catch (IOException | NoSuchObjectException e) {
        // skipped: a partial or replaced entry
      }
    }
    if (entries.isEmpty()) {
      throw ApiException.notFound("no tensors were saved at step " + step);
    }
    return o;
  }

  static S3Uri tensors(ObjectNode d) {
    String uri = d.path("DebugHookConfig").path("S3OutputPath").asText(null);
    return uri == null ? null : DebugConfig.tensorsUri(S3Uri.parse(uri), d.path("TrainingJobName").asText());
  }

  static S3Uri samples(ObjectNode d) {
    if (!"Enabled".equals(d.path("ProfilingStatus").asText())) {
      return null;
    }
    String base = d.path("ProfilerConfig").path("S3OutputPath").asText(null);
    return base == null ? null : S3Uri.parse(base).child(d.path("TrainingJobName").asText() + "/profiler-output");
  }

  private static JsonNode parse(String line) {
    try {
      JsonNode n = Json.mapper().readTree(line);
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static double number(RoutingContext ctx, String name, double dflt) {
    String v = ctx.request().getParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      double d = Double.parseDouble(v);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + ": '" + (v.length() > 40 ? v.substring(0, 40) : v) + "' is not a number");
    }
  }
}
