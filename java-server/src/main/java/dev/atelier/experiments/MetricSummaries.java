package dev.atelier.experiments;

import dev.atelier.experiments.Model.MetricStats;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads metric summaries as they are reported ({@link MetricStats}). The mean and the population
 * standard deviation come from the database, from the sums each write keeps in
 * {@code metric_summary} (so the answer costs one index range per run, however long the series):
 * {@code sum / count} and {@code sqrt(sum_sq / count - mean^2)}, the same SQL on SQLite (whose
 * driver ships its math functions) and PostgreSQL.
 */
final class MetricSummaries {
  /** Statements take at most this many run ids in one IN list. */
  private static final int CHUNK = 500;

  private static final String MEAN = "(s.sum_value / NULLIF(s.point_count, 0))";
  private static final String VARIANCE = "(s.sum_sq / NULLIF(s.point_count, 0) - " + MEAN + " * " + MEAN + ")";
  // A variance a hair below zero is rounding; NULL stays NULL (no point that is not NaN).
  private static final String SELECT = "SELECT r.run_id, s.key, s.last_value, s.last_step, s.last_ts, s.min_value,"
      + " s.max_value, s.point_count, " + MEAN + ", CASE WHEN " + VARIANCE + " < 0 THEN 0.0 ELSE sqrt(" + VARIANCE
      + ") END FROM runs r JOIN metric_summary s ON s.run_pk = r.run_pk WHERE r.run_id IN (";

  private MetricSummaries() {}

  /**
   * The summaries of the runs that exist among {@code runIds}, by run id in the order asked, each
   * run's metrics by key; only the metrics named in {@code keys}, when it is not empty. A run
   * without metrics maps to an empty list; a run id that does not exist is absent.
   */
  static Map<String, List<MetricStats>> read(Connection c, List<String> runIds, List<String> keys)
      throws SQLException {
    Map<String, List<MetricStats>> byRun = new LinkedHashMap<>();
    Map<String, List<MetricStats>> found = new LinkedHashMap<>();
    for (int from = 0; from < runIds.size(); from += CHUNK) {
      List<String> part = runIds.subList(from, Math.min(runIds.size(), from + CHUNK));
      List<Object> args = new ArrayList<>(part);
      StringBuilder sql = new StringBuilder(SELECT).append(marks(part.size())).append(')');
      if (!keys.isEmpty()) {
        sql.append(" AND s.key IN (").append(marks(keys.size())).append(')');
        args.addAll(keys);
      }
      RunStore.each(c, sql.toString(), args, rs -> found.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
          .add(stats(rs)));
      // Runs without (the named) metrics still exist: tell them apart from unknown ids.
      RunStore.each(c, "SELECT run_id FROM runs WHERE run_id IN (" + marks(part.size()) + ")", new ArrayList<>(part),
          rs -> found.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()));
    }
    for (String id : runIds) {
      List<MetricStats> l = found.get(id);
      if (l != null) {
        l.sort(Comparator.comparing(MetricStats::key));
        byRun.put(id, l);
      }
    }
    return byRun;
  }

  private static MetricStats stats(ResultSet rs) throws SQLException {
    return new MetricStats(rs.getString(2), RunStore.nan(rs, "last_value"), rs.getLong(4), rs.getLong(5),
        number(rs, 6), number(rs, 7), rs.getLong(8), defined(number(rs, 9)), defined(number(rs, 10)));
  }

  private static Double number(ResultSet rs, int col) throws SQLException {
    double v = rs.getDouble(col);
    return rs.wasNull() ? null : v;
  }

  /**
   * Infinities among the points leave the mean or deviation undefined: PostgreSQL computes NaN,
   * SQLite NULL. Both read as null.
   */
  private static Double defined(Double v) {
    return v == null || v.isNaN() ? null : v;
  }

  private static String marks(int n) {
    return String.join(",", Collections.nCopies(n, "?"));
  }
}
