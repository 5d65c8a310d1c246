package dev.atelier.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.experiments.Model.Run;
import dev.atelier.http.Json;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads runs' params and tags on SQLite as one JSON object per run and table
 * ({@code json_group_object}): the driver pays a native call and a string per column read, so a
 * thousand runs' sixteen-odd rows each cost about three times as much read one by one as a
 * thousand small documents that Jackson parses.
 */
final class RunRows {
  private RunRows() {}

  static void paramsAndTags(Connection c, String in, List<Object> args, Map<Long, Run> byPk) throws SQLException {
    RunStore.each(c, "SELECT run_pk, json_group_object(key, value) FROM run_params WHERE run_pk IN (" + in + ")"
        + " GROUP BY run_pk", args, rs -> fields(rs.getString(2), byPk.get(rs.getLong(1)).params()));
    RunStore.each(c, "SELECT run_pk, json_group_object(key, value) FROM run_tags WHERE run_pk IN (" + in + ")"
        + " GROUP BY run_pk", args, rs -> fields(rs.getString(2), byPk.get(rs.getLong(1)).tags()));
  }

  private static void fields(String json, Map<String, String> into) throws SQLException {
    for (Iterator<Map.Entry<String, JsonNode>> it = parse(json).fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      into.put(e.getKey(), e.getValue().asText());
    }
  }

  private static JsonNode parse(String json) throws SQLException {
    try {
      return Json.mapper().readTree(json);
    } catch (IOException e) {
      throw new SQLException("a run's stored data is unreadable: " + e.getMessage(), e);
    }
  }
}
