package dev.atelier.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.experiments.Model.Run;
import dev.atelier.experiments.Model.Summary;
import dev.atelier.http.Json;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads runs' params, tags and metric summaries on SQLite as one JSON document per run and table
 * ({@code json_group_object}, {@code json_group_array}): the driver pays a native call per column
 * read, so a thousand runs' twenty-odd rows each cost far more read one by one than as a thousand
 * documents that Jackson parses.
 */
final class RunRows {
  private RunRows() {}

  static void loadAggregated(Connection c, String in, List<Object> args, Map<Long, Run> byPk) throws SQLException {
    RunStore.each(c, "SELECT run_pk, json_group_object(key, value) FROM run_params WHERE run_pk IN (" + in + ")"
        + " GROUP BY run_pk", args, rs -> fields(rs.getString(2), byPk.get(rs.getLong(1)).params()));
    RunStore.each(c, "SELECT run_pk, json_group_object(key, value) FROM run_tags WHERE run_pk IN (" + in + ")"
        + " GROUP BY run_pk", args, rs -> fields(rs.getString(2), byPk.get(rs.getLong(1)).tags()));
    RunStore.each(c, "SELECT run_pk, json_group_array(json_array(key, last_value, last_step, last_ts, min_value,"
        + " max_value, point_count, sum_value, sum_sq)) FROM metric_summary WHERE run_pk IN (" + in + ")"
        + " GROUP BY run_pk", args, rs -> {
          List<Summary> out = byPk.get(rs.getLong(1)).metrics();
          for (JsonNode m : parse(rs.getString(2))) {
            out.add(new Summary(m.get(0).asText(), m.get(1).isNull() ? Double.NaN : m.get(1).asDouble(),
                m.get(2).asLong(), m.get(3).asLong(), dbl(m.get(4)), dbl(m.get(5)), m.get(6).asLong(), dbl(m.get(7)),
                dbl(m.get(8))));
          }
        });
  }

  private static void fields(String json, Map<String, String> into) throws SQLException {
    for (Iterator<Map.Entry<String, JsonNode>> it = parse(json).fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      into.put(e.getKey(), e.getValue().asText());
    }
  }

  /** SQLite writes an infinity as 9e999, which parses back as one. */
  private static Double dbl(JsonNode n) {
    return n == null || n.isNull() ? null : n.asDouble();
  }

  private static JsonNode parse(String json) throws SQLException {
    try {
      return Json.mapper().readTree(json);
    } catch (IOException e) {
      throw new SQLException("a run's stored data is unreadable: " + e.getMessage(), e);
    }
  }
}
