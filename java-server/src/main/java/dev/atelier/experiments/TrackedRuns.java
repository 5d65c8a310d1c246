package dev.atelier.experiments;

import dev.atelier.experiments.Model.DatasetInput;
import dev.atelier.experiments.Model.Experiment;
import dev.atelier.experiments.Model.Run;
import dev.atelier.http.RunTracker;
import dev.atelier.http.ScopedTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs for the work Atelier runs itself (jobs): experiment by name (created on first use), the
 * source tags every consumer reads ({@code atelier.source.*} and MLflow's {@code mlflow.source.*}),
 * parameters and inputs logged at the start, and a token scoped to the run for the work's MLflow client.
 */
final class TrackedRuns implements RunTracker {
  static final String SOURCE_TYPE = "atelier.source.type";
  static final String SOURCE_NAME = "atelier.source.name";
  private static final long WAIT_SECONDS = 30;

  private final ExperimentService service;
  private final ScopedTokens tokens;

  TrackedRuns(ExperimentService service, ScopedTokens tokens) {
    this.service = service;
    this.tokens = tokens;
  }

  @Override
  public Started start(Start s) {
    Experiment e = service.experimentNamed(s.experimentName(), s.owner());
    Map<String, String> tags = new LinkedHashMap<>(s.tags());
    tags.put(SOURCE_TYPE, s.sourceType());
    tags.put(SOURCE_NAME, s.sourceName());
    tags.put("mlflow.source.type", s.sourceType().endsWith("_JOB") ? "JOB" : s.sourceType());
    tags.put("mlflow.source.name", s.sourceName());
    tags.put("mlflow.user", s.owner());
    Run run = service.createRun(Long.toString(e.id()), s.owner(), s.runName(), s.startMillis(), tags,
        s.sourceType() + ":" + s.sourceName(), s.trialName(), s.owner());
    String runId = run.info().runId();
    try {
      logStart(runId, s);
    } catch (RuntimeException failure) {
      // A run without what the job was started with would mislead: it ends FAILED, the job goes on.
      try {
        service.updateRun(runId, "FAILED", s.startMillis(), null);
      } catch (RuntimeException again) {
        failure.addSuppressed(again);
      }
      throw failure;
    }
    String experimentId = Long.toString(e.id());
    return new Started(runId, experimentId, token(experimentId, runId));
  }

  /** The job's parameters (those MLflow takes; the run names the others) and inputs. */
  private void logStart(String runId, Start s) {
    List<Map.Entry<String, String>> params = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    s.params().forEach((k, v) -> {
      try {
        Rules.param(k, v);
        params.add(Map.entry(k, v));
      } catch (RuntimeException refused) {
        skipped.add(k);
      }
    });
    if (!skipped.isEmpty()) {
      // a name MLflow does not take: the rest is logged, and the run says what was left out
      await(service.log(runId, List.of(), List.of(), Map.of("atelier.params.skipped", String.join(", ", skipped)),
          List.of(), List.of(), s.owner()));
    }
    List<DatasetInput> inputs = s.inputs().stream().map(TrackedRuns::dataset).toList();
    if (!params.isEmpty() || !inputs.isEmpty()) {
      await(service.log(runId, List.of(), params, Map.of(), List.of(), inputs, s.owner()));
    }
  }

  @Override
  public String token(String experimentId, String runId) {
    return tokens.issue(RunScope.of(experimentId, runId));
  }

  @Override
  public void log(String runId, String owner, List<RunTracker.Point> points, Map<String, String> tags) {
    for (int i = 0; i < points.size() || (i == 0 && !tags.isEmpty()); i += Rules.MAX_METRICS_PER_BATCH) {
      List<Model.Point> batch = points.subList(i, Math.min(points.size(), i + Rules.MAX_METRICS_PER_BATCH))
          .stream().map(p -> new Model.Point(p.key(), p.value(), p.timestampMillis(), p.step())).toList();
      await(service.log(runId, batch, List.of(), i == 0 ? tags : Map.of(), List.of(), List.of(), owner));
    }
  }

  @Override
  public void status(String runId, String status) {
    service.updateRun(runId, status, null, null);
  }

  @Override
  public void end(String runId, String status, long endMillis) {
    service.updateRun(runId, status, endMillis, null);
  }

  /** A channel as MLflow's dataset input: an S3 source, with the channel as its context. */
  private static DatasetInput dataset(Input in) {
    String source = dev.atelier.http.Json.encode(Map.of("uri", in.uri()));
    return new DatasetInput(in.name(), digest(in.uri()), "s3", source, "", "",
        Map.of("mlflow.data.context", in.name()));
  }

  private static String digest(String s) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(java.util.concurrent.CompletableFuture<Void> f) {
    try {
      f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while logging to the run", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the run store did not answer within " + WAIT_SECONDS + " s", e);
    }
  }
}
