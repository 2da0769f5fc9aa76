package io.tunefleet.launcher.fleetbench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One experiment as the coordinator stored it; all times epoch ms on this host's clock. */
record ExperimentRow(long taskId, int seq, int gpus, String workerId, String state, long durationMs, long createdAt,
                     Long queuedAt, Long startedAt, Long finishedAt, Long committedAt) {

    private static final Pattern HOLD = Pattern.compile("\"sim-hold-ms\"\\s*:\\s*(\\d+)");

    /** Reads every experiment from the coordinator's SQLite file (after the coordinator stopped). */
    static List<ExperimentRow> readAll(java.nio.file.Path database) throws SQLException {
        List<ExperimentRow> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM experiments ORDER BY task_id, seq")) {
            while (rs.next()) {
                Matcher m = HOLD.matcher(rs.getString("parameters_json"));
                rows.add(new ExperimentRow(rs.getLong("task_id"), rs.getInt("seq"), rs.getInt("gpus"),
                        rs.getString("worker_id"), rs.getString("state"), m.find() ? Long.parseLong(m.group(1)) : 0,
                        rs.getLong("created_at"), nullable(rs, "queued_at"), nullable(rs, "started_at"),
                        nullable(rs, "finished_at"), nullable(rs, "committed_at")));
            }
        }
        return rows;
    }

    private static Long nullable(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
