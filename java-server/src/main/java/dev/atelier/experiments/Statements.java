package dev.atelier.experiments;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The prepared statements of one unit of work, each prepared once however many times it runs.
 * SQLite's driver compiles the SQL on every {@code prepareStatement}: for a log-batch of 10
 * points, compiling and finalizing the writer's four statements cost about as much as running
 * them (bench/README.md, "Experiments"), and the writer runs them for every batch of a group.
 * Statements handed out stay open until {@link #close}; callers close only their result sets.
 */
final class Statements implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> prepared = new HashMap<>();

  Statements(Connection connection) {
    this.connection = connection;
  }

  /** The statement for {@code sql}, without parameters or batched rows left from its last use. */
  PreparedStatement get(String sql) throws SQLException {
    PreparedStatement q = prepared.get(sql);
    if (q == null) {
      q = connection.prepareStatement(sql);
      prepared.put(sql, q);
    } else {
      // A use that failed (a refused batch, rolled back to its savepoint) may have left rows.
      q.clearBatch();
      q.clearParameters();
    }
    return q;
  }

  @Override
  public void close() throws SQLException {
    SQLException first = null;
    for (PreparedStatement q : prepared.values()) {
      try {
        q.close();
      } catch (SQLException e) {
        first = first == null ? e : first;
      }
    }
    prepared.clear();
    if (first != null) {
      throw first;
    }
  }
}
