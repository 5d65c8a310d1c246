package dev.atelier.debugger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.jobs.Fields;
import dev.atelier.jobs.TrainingCompanion;
import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * The debugger as the jobs capability's {@link TrainingCompanion}: checks the request's debugger
 * fields, starts a new job's description with its rule statuses and ProfilingStatus, and runs a
 * {@link DebugSession} beside each training job that asks for tensors, rules or the profiler.
 */
final class Debugger implements TrainingCompanion {
  private final BatchRuntime runtime;
  private final ObjectStore store;
  private final InstanceCatalog types;
  private final String defaultBucket;
  private final String builtInImage;
  private final String region;
  private final Clock clock;
  /** Told each {@code debugger} frame with the owner of its job. */
  private final BiConsumer<ObjectNode, String> publish;

  Debugger(BatchRuntime runtime, ObjectStore store, InstanceCatalog types, String defaultBucket, String builtInImage,
      String region, Clock clock, BiConsumer<ObjectNode, String> publish) {
    this.runtime = runtime;
    this.store = store;
    this.types = types;
    this.defaultBucket = defaultBucket;
    this.builtInImage = builtInImage;
    this.region = region;
    this.clock = clock;
    this.publish = publish;
  }

  String builtInImage() {
    return builtInImage;
  }

  DebugConfig parse(Request request) {
    return DebugConfig.parse(request, defaultBucket, builtInImage);
  }

  @Override
  public void check(Request request) {
    parse(request);
  }

  @Override
  public void accept(Request request, ObjectNode d) {
    DebugConfig c = parse(request);
    for (RuleConfigs.Rule r : all(c)) {
      requireImage(r);
    }
    if (c.hook() != null) {
      d.set("DebugHookConfig", c.hook());
    }
    d.put("ProfilingStatus", c.profiler() != null ? "Enabled" : "Disabled");
    if (c.profiler() != null) {
      d.set("ProfilerConfig", c.profiler().config());
    }
    Instant now = clock.instant();
    ArrayNode debug = Json.mapper().createArrayNode();
    ArrayNode profiler = Json.mapper().createArrayNode();
    for (RuleStatus s : statuses(c, request.jobName(), now)) {
      (s.rule().kind().equals("profiler") ? profiler : debug).add(s.toJson());
    }
    if (!c.rules().isEmpty()) {
      d.set("DebugRuleEvaluationStatuses", debug);
    }
    if (!c.profilerRules().isEmpty()) {
      d.set("ProfilerRuleEvaluationStatuses", profiler);
    }
  }

  /** A rule image the engine does not have is the request's fault, named by its field. */
  private void requireImage(RuleConfigs.Rule r) {
    if (runtime == null) {
      return;
    }
    try {
      runtime.requireImage(r.image());
    } catch (RuntimeFailure e) {
      if (e.callersFault()) {
        throw Fields.bad(r.field() + ".RuleEvaluatorImage", e.getMessage()
            + (r.image().equals(builtInImage) ? " (the built-in rules run in " + builtInImage + ")" : ""));
      }
      throw ApiException.unavailable("the Docker engine could not be asked for the rule image " + r.image() + ": "
          + e.getMessage());
    }
  }

  @Override
  public Session open(Handle job, JsonNode request) {
    S3Uri output;
    try {
      output = S3Uri.parse(request.path("OutputDataConfig").path("S3OutputPath").asText());
    } catch (IllegalArgumentException e) {
      return null;
    }
    DebugConfig c = parse(new Request(request, job.name(), output, store.keys(), types));
    if (!c.any()) {
      return null;
    }
    return new DebugSession(job, c, statuses(c, job.name(), clock.instant()), runtime, store,
        frame -> publish.accept(frame, job.owner()));
  }

  private List<RuleStatus> statuses(DebugConfig c, String jobName, Instant now) {
    List<RuleStatus> out = new ArrayList<>();
    for (RuleConfigs.Rule r : all(c)) {
      out.add(new RuleStatus(r, arn(ruleJobName(jobName, r.name())), jobName, now));
    }
    return out;
  }

  private static List<RuleConfigs.Rule> all(DebugConfig c) {
    List<RuleConfigs.Rule> all = new ArrayList<>(c.rules());
    all.addAll(c.profilerRules());
    return all;
  }

  private String arn(String ruleJob) {
    return "arn:atelier:sagemaker:" + region + ":000000000000:processing-job/" + ruleJob.toLowerCase(Locale.ROOT);
  }

  /**
   * The rule evaluation's name as SageMaker forms it: the job's and the rule's names cut to fit,
   * and a hash of both, within the 63 characters of a processing job's name.
   */
  static String ruleJobName(String job, String rule) {
    String hash = HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(4)
        .putInt((job + "/" + rule).hashCode()).array());
    String name = cut(job, 26) + "-" + cut(rule, 26) + "-" + hash;
    return name.replaceAll("-{2,}", "-");
  }

  private static String cut(String s, int max) {
    String c = s.length() > max ? s.substring(0, max) : s;
    return c.replaceAll("-+$", "");
  }
}
