package dev.atelier.experiments;

import dev.atelier.experiments.SearchFilter.Clause;
import dev.atelier.experiments.SearchFilter.Entity;
import dev.atelier.experiments.SearchFilter.Order;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Translates a parsed run search into one SQL statement over the runs and their (key, value)
 * tables: the runs each filtered metric, param or tag selects come from its
 * {@code (key, value, run_pk)} index alone and are intersected, so the work is that of the
 * conditions' matches rather than of every run; each ordering key is a left join on the few runs
 * that remain. Values are bound, never spliced in.
 */
final class RunSearch {
  private static final Map<String, String> RUN_COLUMNS = Map.of("run_id", "r.run_id", "run_name", "r.name",
      "status", "r.status", "user_id", "r.user_id", "artifact_uri", "r.artifact_uri", "source", "r.source",
      "trial_name", "r.trial_name", "start_time", "r.start_time", "end_time", "r.end_time");
  static final Map<String, String> EXPERIMENT_COLUMNS = Map.of("name", "e.name", "creation_time", "e.creation_time",
      "last_update_time", "e.last_update_time", "experiment_id", "e.experiment_id");

  /** A statement and its arguments. */
  record Sql(String text, List<Object> args) {}

  private RunSearch() {}

  /** {@code stages}: the lifecycle stages to include (MLflow's view type). */
  static Sql runs(String vendor, List<Long> experimentIds, List<String> stages, List<Clause> clauses,
      List<Order> orders, int limit, long offset) {
    List<Object> candidateArgs = new ArrayList<>();
    List<String> candidates = new ArrayList<>();
    StringBuilder where = new StringBuilder(" WHERE r.experiment_id IN (" + marks(experimentIds.size()) + ")");
    List<Object> whereArgs = new ArrayList<>(experimentIds);
    where.append(" AND r.lifecycle_stage IN (").append(marks(stages.size())).append(")");
    whereArgs.addAll(stages);
    for (Clause cl : clauses) {
      switch (cl.entity()) {
        case METRIC -> {
          candidates.add("SELECT run_pk FROM metric_summary WHERE key = ? AND last_value " + cl.op() + " ?");
          candidateArgs.add(cl.key());
          candidateArgs.add(cl.value());
        }
        case PARAM, TAG -> {
          String table = cl.entity() == Entity.PARAM ? "run_params" : "run_tags";
          if (cl.op().equals("IS NULL") || cl.op().equals("IS NOT NULL")) {
            where.append(cl.op().equals("IS NULL") ? " AND NOT EXISTS" : " AND EXISTS").append(" (SELECT 1 FROM ")
                .append(table).append(" x WHERE x.run_pk = r.run_pk AND x.key = ?)");
            whereArgs.add(cl.key());
          } else {
            candidateArgs.add(cl.key());
            candidates.add("SELECT run_pk FROM " + table + " WHERE key = ? AND "
                + compare(vendor, "value", cl, candidateArgs));
          }
        }
        case ATTRIBUTE -> where.append(" AND ").append(compare(vendor, RUN_COLUMNS.get(cl.key()), cl, whereArgs));
        case DATASET -> {
          where.append(" AND EXISTS (SELECT 1 FROM run_inputs d WHERE d.run_pk = r.run_pk AND ")
              .append(compare(vendor, "d." + cl.key(), cl, whereArgs)).append(")");
        }
      }
    }
    // The runs every metric, param and tag condition picks, each read from its own covering
    // (key, value, run_pk) index and intersected, before any run row is looked at.
    StringBuilder from = new StringBuilder(candidates.isEmpty() ? " FROM runs r"
        : " FROM (" + String.join(" INTERSECT ", candidates) + ") c JOIN runs r ON r.run_pk = c.run_pk");
    List<Object> joinArgs = new ArrayList<>(candidateArgs);
    StringBuilder order = new StringBuilder(" ORDER BY ");
    int m = 0;
    for (Order o : orders) {
      String dir = o.ascending() ? " ASC" : " DESC";
      String col;
      if (o.entity() == Entity.ATTRIBUTE) {
        col = RUN_COLUMNS.get(o.key());
      } else {
        String alias = "o" + m++;
        String table = switch (o.entity()) {
          case METRIC -> "metric_summary";
          case PARAM -> "run_params";
          default -> "run_tags";
        };
        from.append(" LEFT JOIN ").append(table).append(' ').append(alias).append(" ON ").append(alias)
            .append(".run_pk = r.run_pk AND ").append(alias).append(".key = ?");
        joinArgs.add(o.key());
        col = alias + (o.entity() == Entity.METRIC ? ".last_value" : ".value");
      }
      // Runs without the key come last either way, as in MLflow.
      order.append("(").append(col).append(" IS NULL), ").append(col).append(dir).append(", ");
    }
    order.append("r.start_time DESC, r.run_pk ASC");
    List<Object> args = new ArrayList<>(joinArgs);
    args.addAll(whereArgs);
    args.add(limit);
    args.add(offset);
    return new Sql("SELECT r.*" + from + where + order + " LIMIT ? OFFSET ?", args);
  }

  /** Experiments: their tags joined as run tags are, ordered by attributes. */
  static Sql experiments(String vendor, List<String> stages, List<Clause> clauses, List<Order> orders, int limit,
      long offset) {
    StringBuilder from = new StringBuilder(" FROM experiments e");
    List<Object> joinArgs = new ArrayList<>();
    StringBuilder where = new StringBuilder(" WHERE e.lifecycle_stage IN (" + marks(stages.size()) + ")");
    List<Object> whereArgs = new ArrayList<>(stages);
    int n = 0;
    for (Clause cl : clauses) {
      if (cl.entity() == Entity.TAG) {
        String alias = "t" + n++;
        if (cl.op().startsWith("IS ")) {
          where.append(cl.op().equals("IS NULL") ? " AND NOT EXISTS" : " AND EXISTS")
              .append(" (SELECT 1 FROM experiment_tags x WHERE x.experiment_id = e.experiment_id AND x.key = ?)");
          whereArgs.add(cl.key());
          continue;
        }
        from.append(" JOIN experiment_tags ").append(alias).append(" ON ").append(alias)
            .append(".experiment_id = e.experiment_id AND ").append(alias).append(".key = ?");
        joinArgs.add(cl.key());
        where.append(" AND ").append(compare(vendor, alias + ".value", cl, whereArgs));
      } else {
        where.append(" AND ").append(compare(vendor, EXPERIMENT_COLUMNS.get(cl.key()), cl, whereArgs));
      }
    }
    StringBuilder order = new StringBuilder(" ORDER BY ");
    for (Order o : orders) {
      order.append(EXPERIMENT_COLUMNS.get(o.key())).append(o.ascending() ? " ASC" : " DESC").append(", ");
    }
    order.append(orders.isEmpty() ? "e.creation_time DESC, " : "").append("e.experiment_id ASC");
    List<Object> args = new ArrayList<>(joinArgs);
    args.addAll(whereArgs);
    args.add(limit);
    args.add(offset);
    return new Sql("SELECT e.*" + from + where + order + " LIMIT ? OFFSET ?", args);
  }

  /** {@code column op value}: LIKE is case-sensitive on both databases, ILIKE is not. */
  private static String compare(String vendor, String column, Clause cl, List<Object> args) {
    boolean sqlite = "sqlite".equals(vendor);
    switch (cl.op()) {
      case "IN", "NOT IN" -> {
        @SuppressWarnings("unchecked")
        List<String> values = (List<String>) cl.value();
        args.addAll(values);
        return column + " " + cl.op() + " (" + marks(values.size()) + ")";
      }
      case "LIKE" -> {
        if (sqlite) {
          // SQLite's LIKE ignores ASCII case; GLOB does not.
          args.add(glob((String) cl.value()));
          return column + " GLOB ?";
        }
        args.add(cl.value());
        return column + " LIKE ?";
      }
      case "ILIKE" -> {
        args.add(cl.value());
        return sqlite ? "LOWER(" + column + ") LIKE LOWER(?)" : column + " ILIKE ?";
      }
      default -> {
        args.add(cl.value());
        return column + " " + cl.op() + " ?";
      }
    }
  }

  /** A LIKE pattern as a GLOB: % is *, _ is ?, and GLOB's own special characters match themselves. */
  static String glob(String like) {
    StringBuilder b = new StringBuilder();
    for (char ch : like.toCharArray()) {
      switch (ch) {
        case '%' -> b.append('*');
        case '_' -> b.append('?');
        case '*', '?', '[' -> b.append('[').append(ch).append(']');
        default -> b.append(ch);
      }
    }
    return b.toString();
  }

  private static String marks(int n) {
    return String.join(",", Collections.nCopies(Math.max(1, n), "?"));
  }

  static void bind(PreparedStatement q, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof String s) {
        q.setString(i + 1, s);
      } else if (a instanceof Double d) {
        q.setDouble(i + 1, d);
      } else if (a instanceof Integer v) {
        q.setInt(i + 1, v);
      } else if (a instanceof Long v) {
        q.setLong(i + 1, v);
      } else {
        q.setObject(i + 1, a);
      }
    }
  }
}
