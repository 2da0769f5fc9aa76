package io.tunefleet.coordinator.store;

import io.tunefleet.common.experiment.TaskStatus;
import io.tunefleet.common.task.TaskSpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/** Tasks in SQLite. Reads on any pooled connection; writes through {@link StoreWriter}. */
@Repository
public class TaskStore {

    /** Every column but the task file, which a list of 5,000 configurations makes hundreds of KB. */
    static final String COLUMNS = "id, name, status, strategy, objective, max_iterations, max_parallel, stop_reason, created_at, started_at, finished_at";

    private final JdbcClient jdbc;
    private final StoreWriter writer;
    private final Clock clock;

    TaskStore(JdbcClient jdbc, StoreWriter writer, Clock clock) {
        this.jdbc = jdbc;
        this.writer = writer;
        this.clock = clock;
    }

    public TaskRecord insert(TaskSpec spec) {
        long id = writer.write(() -> {
            GeneratedKeyHolder keys = new GeneratedKeyHolder();
            jdbc.sql("""
                    INSERT INTO tasks (name, status, spec_json, strategy, objective, max_iterations, max_parallel, created_at)
                    VALUES (:name, :status, :spec, :strategy, :objective, :maxIterations, :maxParallel, :now)""")
                    .param("name", spec.name())
                    .param("status", TaskStatus.PENDING.name())
                    .param("spec", spec.json())
                    .param("strategy", spec.optimization().strategy().wireName())
                    .param("objective", spec.optimization().objective().wireName())
                    .param("maxIterations", spec.optimization().maxIterations())
                    .param("maxParallel", spec.optimization().maxParallelExperiments())
                    .param("now", clock.millis())
                    .update(keys);
            return keys.getKey().longValue();
        });
        return find(id).orElseThrow();
    }

    public Optional<TaskRecord> find(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tasks WHERE id = :id").param("id", id).query(TaskStore::map).optional();
    }

    /** The task file as submitted; read only when a task's strategy is (re)built, since it can be large. */
    public Optional<String> specJson(long id) {
        return jdbc.sql("SELECT spec_json FROM tasks WHERE id = :id").param("id", id).query(String.class).optional();
    }

    public List<TaskRecord> list() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tasks ORDER BY id").query(TaskStore::map).list();
    }

    public List<TaskRecord> withStatus(TaskStatus... statuses) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tasks WHERE status IN (:statuses) ORDER BY id")
                .param("statuses", java.util.Arrays.stream(statuses).map(Enum::name).toList())
                .query(TaskStore::map).list();
    }

    /**
     * Moves a task from {@code expected} to {@code next}; false when another writer moved it first.
     * Must run on the writer thread.
     */
    public boolean transition(long id, TaskStatus expected, TaskStatus next, String stopReason) {
        long now = clock.millis();
        return jdbc.sql("""
                UPDATE tasks SET status = :next,
                    stop_reason = COALESCE(:reason, stop_reason),
                    started_at = CASE WHEN :next = 'RUNNING' THEN :now ELSE started_at END,
                    finished_at = CASE WHEN :terminal THEN :now ELSE finished_at END
                WHERE id = :id AND status = :expected""")
                .param("next", next.name())
                .param("reason", stopReason)
                .param("now", now)
                .param("terminal", next.isTerminal())
                .param("id", id)
                .param("expected", expected.name())
                .update() == 1;
    }

    /**
     * Records why a stopping rule ended a running task's search while its last experiments finish, so
     * that a restarted coordinator does not take the search up again. Must run on the writer thread.
     */
    public void noteStopping(long id, String stopReason) {
        jdbc.sql("UPDATE tasks SET stop_reason = :reason WHERE id = :id AND status = 'RUNNING'")
                .param("reason", stopReason).param("id", id).update();
    }

    static TaskRecord map(ResultSet rs, int row) throws SQLException {
        return new TaskRecord(rs.getLong("id"), rs.getString("name"), TaskStatus.valueOf(rs.getString("status")),
                rs.getString("strategy"), rs.getString("objective"),
                rs.getInt("max_iterations"), rs.getInt("max_parallel"), rs.getString("stop_reason"),
                rs.getLong("created_at"), nullableLong(rs, "started_at"), nullableLong(rs, "finished_at"));
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
