package dev.atelier.experiments;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.atelier.experiments.Model.DatasetInput;
import dev.atelier.experiments.Model.Experiment;
import dev.atelier.experiments.Model.Point;
import dev.atelier.experiments.Model.Run;
import dev.atelier.experiments.Model.RunInfo;
import dev.atelier.experiments.Model.Summary;
import dev.atelier.http.Json;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
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

  /** Writes JSON to a generator: the one description of an entity, for a tree or for bytes. */
  interface Writes {
    void to(JsonGenerator g) throws IOException;
  }

  /** What {@code w} writes, as a tree (for responses that nest it). */
  static ObjectNode tree(Writes w) {
    try (TokenBuffer b = new TokenBuffer(Json.mapper(), false)) {
      w.to(b);
      return Json.mapper().readTree(b.asParser());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code w} writes, as UTF-8 bytes: no tree, for the big responses (search, history). */
  static Buffer bytes(int sizeHint, Writes w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out)) {
      w.to(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  static ObjectNode info(RunInfo i) {
    return tree(g -> info(g, i));
  }

  static ObjectNode run(Run r) {
    return tree(g -> run(g, r));
  }

  /** A page of runs/search. */
  static Buffer runs(List<Run> runs, String nextPageToken) {
    return bytes(64 + runs.size() * 1_500, g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("runs");
      for (Run r : runs) {
        run(g, r);
      }
      g.writeEndArray();
      if (nextPageToken != null) {
        g.writeStringField("next_page_token", nextPageToken);
      }
      g.writeEndObject();
    });
  }

  /** A page of a metric's history (up to 25,000 points). */
  static Buffer history(List<Point> points, String nextPageToken) {
    return bytes(64 + points.size() * 88, g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("metrics");
      for (Point p : points) {
        point(g, p);
      }
      g.writeEndArray();
      if (nextPageToken != null) {
        g.writeStringField("next_page_token", nextPageToken);
      }
      g.writeEndObject();
    });
  }

  private static void info(JsonGenerator g, RunInfo i) throws IOException {
    g.writeStartObject();
    g.writeStringField("run_id", i.runId());
    g.writeStringField("run_uuid", i.runId());
    g.writeStringField("run_name", i.name());
    g.writeStringField("experiment_id", Long.toString(i.experimentId()));
    g.writeStringField("user_id", i.userId());
    g.writeStringField("status", i.status());
    if (i.startTime() != null) {
      g.writeNumberField("start_time", i.startTime());
    }
    if (i.endTime() != null) {
      g.writeNumberField("end_time", i.endTime());
    }
    g.writeStringField("artifact_uri", i.artifactUri());
    g.writeStringField("lifecycle_stage", i.lifecycleStage());
    g.writeEndObject();
  }

  private static void run(JsonGenerator g, Run r) throws IOException {
    g.writeStartObject();
    g.writeFieldName("info");
    info(g, r.info());
    g.writeObjectFieldStart("data");
    g.writeArrayFieldStart("metrics");
    for (Summary s : r.metrics()) {
      point(g, new Point(s.key(), s.last(), s.lastTimestamp(), s.lastStep()));
    }
    g.writeEndArray();
    g.writeFieldName("params");
    pairs(g, r.params());
    g.writeFieldName("tags");
    pairs(g, r.tags());
    g.writeEndObject();
    g.writeObjectFieldStart("inputs");
    g.writeArrayFieldStart("dataset_inputs");
    for (DatasetInput d : r.inputs()) {
      g.writeStartObject();
      g.writeFieldName("tags");
      pairs(g, d.tags());
      g.writeObjectFieldStart("dataset");
      g.writeStringField("name", d.name());
      g.writeStringField("digest", d.digest());
      g.writeStringField("source_type", d.sourceType());
      g.writeStringField("source", d.source());
      if (d.schema() != null) {
        g.writeStringField("schema", d.schema());
      }
      if (d.profile() != null) {
        g.writeStringField("profile", d.profile());
      }
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void point(JsonGenerator g, Point p) throws IOException {
    g.writeStartObject();
    g.writeStringField("key", p.key());
    double v = p.value();
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      g.writeStringField("value", Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    } else {
      g.writeNumberField("value", v);
    }
    g.writeNumberField("timestamp", p.timestamp());
    g.writeNumberField("step", p.step());
    g.writeEndObject();
  }

  private static void pairs(JsonGenerator g, Map<String, String> m) throws IOException {
    g.writeStartArray();
    for (Map.Entry<String, String> e : m.entrySet()) {
      g.writeStartObject();
      g.writeStringField("key", e.getKey());
      g.writeStringField("value", e.getValue());
      g.writeEndObject();
    }
    g.writeEndArray();
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
