package dev.atelier.experiments;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.experiments.Model.DatasetInput;
import dev.atelier.experiments.Model.Experiment;
import dev.atelier.experiments.Model.Point;
import dev.atelier.experiments.Model.Run;
import dev.atelier.experiments.Model.RunInfo;
import dev.atelier.experiments.Model.Summary;
import dev.atelier.http.Json;
import java.util.Map;

/**
 * MLflow's entities as its REST API writes them (protobuf's JSON mapping: ids and int64s as
 * they are, NaN and the infinities as the strings "NaN", "Infinity", "-Infinity").
 */
final class MlflowJson {
  private MlflowJson() {}

  static ObjectNode object() {
    return Json.mapper().createObjectNode();
  }

  static ObjectNode experiment(Experiment e) {
    ObjectNode o = object();
    o.put("experiment_id", Long.toString(e.id()));
    o.put("name", e.name());
    o.put("artifact_location", e.artifactLocation());
    o.put("lifecycle_stage", e.lifecycleStage());
    o.put("last_update_time", e.lastUpdateTime());
    o.put("creation_time", e.creationTime());
    tags(o.putArray("tags"), e.tags());
    return o;
  }

  static ObjectNode info(RunInfo i) {
    ObjectNode o = object();
    o.put("run_id", i.runId());
    o.put("run_uuid", i.runId());
    o.put("run_name", i.name());
    o.put("experiment_id", Long.toString(i.experimentId()));
    o.put("user_id", i.userId());
    o.put("status", i.status());
    if (i.startTime() != null) {
      o.put("start_time", i.startTime());
    }
    if (i.endTime() != null) {
      o.put("end_time", i.endTime());
    }
    o.put("artifact_uri", i.artifactUri());
    o.put("lifecycle_stage", i.lifecycleStage());
    return o;
  }

  static ObjectNode run(Run r) {
    ObjectNode o = object();
    o.set("info", info(r.info()));
    ObjectNode data = o.putObject("data");
    ArrayNode metrics = data.putArray("metrics");
    for (Summary s : r.metrics()) {
      point(metrics.addObject(), new Point(s.key(), s.last(), s.lastTimestamp(), s.lastStep()));
    }
    ArrayNode params = data.putArray("params");
    r.params().forEach((k, v) -> params.addObject().put("key", k).put("value", v));
    tags(data.putArray("tags"), r.tags());
    ArrayNode inputs = o.putObject("inputs").putArray("dataset_inputs");
    for (DatasetInput d : r.inputs()) {
      ObjectNode in = inputs.addObject();
      tags(in.putArray("tags"), d.tags());
      ObjectNode ds = in.putObject("dataset");
      ds.put("name", d.name());
      ds.put("digest", d.digest());
      ds.put("source_type", d.sourceType());
      ds.put("source", d.source());
      if (d.schema() != null) {
        ds.put("schema", d.schema());
      }
      if (d.profile() != null) {
        ds.put("profile", d.profile());
      }
    }
    return o;
  }

  static ObjectNode point(ObjectNode o, Point p) {
    o.put("key", p.key());
    number(o, "value", p.value());
    o.put("timestamp", p.timestamp());
    o.put("step", p.step());
    return o;
  }

  static void number(ObjectNode o, String field, double v) {
    if (Double.isNaN(v)) {
      o.put(field, "NaN");
    } else if (Double.isInfinite(v)) {
      o.put(field, v > 0 ? "Infinity" : "-Infinity");
    } else {
      o.put(field, v);
    }
  }

  private static void tags(ArrayNode a, Map<String, String> tags) {
    tags.forEach((k, v) -> a.addObject().put("key", k).put("value", v));
  }
}
