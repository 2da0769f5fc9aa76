package io.tunefleet.coordinator.store;

import static io.tunefleet.common.experiment.ExperimentState.*;

import io.tunefleet.common.experiment.ExperimentState;
import io.tunefleet.common.experiment.ExperimentTransitions;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.param.ParameterSet;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/**
 * Experiments in SQLite. Every state change is an {@code UPDATE ... WHERE state IN (:sources)}
 * whose sources come from the transition table, so code and database guard the same moves; an
 * update that matches no row means another writer won, or the message was stale.
 * Methods that write must run on the {@link StoreWriter} thread.
 */
@Repository
public class ExperimentStore {

    /** The failure classes whose attempts do not use up max_retries, by name. */
    private static final List<String> NOT_COUNTED = Arrays.stream(FailureClass.values())
            .filter(f -> !f.countsAgainstRetries()).map(Enum::name).toList();

    private final JdbcClient jdbc;
    private final Clock clock;

    ExperimentStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Stores a new experiment, PENDING as attempt 1; returns its id. */
    public long insertPending(long taskId, int seq, ParameterSet parameters, int gpus) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.sql("""
                INSERT INTO experiments (task_id, seq, config_key, parameters_json, gpus, state, attempt, created_at)
                VALUES (:task, :seq, :key, :params, :gpus, 'PENDING', 1, :now)""")
                .param("task", taskId)
                .param("seq", seq)
                .param("key", parameters.key())
                .param("params", Json.write(parameters.values()))
                .param("gpus", gpus)
                .param("now", clock.millis())
                .update(keys);
        return keys.getKey().longValue();
    }

    /**
     * PENDING -> QUEUED just before the job is published, so that a worker's claim can never find the
     * experiment still PENDING; records the attempt. {@code queued_at} stays empty until the broker
     * confirms ({@link #markPublished}), and an experiment QUEUED without it is published again.
     */
    public boolean markQueued(long id, int attempt) {
        boolean moved = move(id, attempt, QUEUED, null, "queued_at = NULL", Map.of());
        if (moved) {
            jdbc.sql("INSERT OR IGNORE INTO attempts (experiment_id, attempt, queued_at) VALUES (:id, :attempt, :now)")
                    .param("id", id).param("attempt", attempt).param("now", clock.millis()).update();
        }
        return moved;
    }

    /**
     * {@link #markQueued} for every PENDING experiment of the task, in two statements whatever their
     * number (a dispatch pass queues all it suggested); returns how many moved.
     */
    public int markAllQueued(long taskId) {
        int moved = jdbc.sql("UPDATE experiments SET state = 'QUEUED', queued_at = NULL "
                        + "WHERE task_id = :task AND state IN (:sources)")
                .param("task", taskId).param("sources", names(ExperimentTransitions.sourcesOf(QUEUED))).update();
        if (moved > 0) {
            jdbc.sql("""
                    INSERT OR IGNORE INTO attempts (experiment_id, attempt, queued_at)
                    SELECT id, attempt, :now FROM experiments WHERE task_id = :task AND state = 'QUEUED' AND queued_at IS NULL""")
                    .param("now", clock.millis()).param("task", taskId).update();
        }
        return moved;
    }

    /** One attempt of one experiment. */
    public record Attempt(long experimentId, int attempt) {
    }

    /**
     * The broker confirmed the jobs of these attempts; one statement for all of them. Returns how
     * many were recorded (not before, and still that attempt).
     */
    public int markPublished(List<Attempt> attempts) {
        if (attempts.isEmpty()) {
            return 0;
        }
        List<Object[]> pairs = attempts.stream().map(a -> new Object[] {a.experimentId(), a.attempt()}).toList();
        List<Long> ids = attempts.stream().map(Attempt::experimentId).toList();
        // The id list lets SQLite look the rows up by key; the row values alone would scan the table.
        return jdbc.sql("UPDATE experiments SET queued_at = :now WHERE id IN (:ids) AND queued_at IS NULL "
                        + "AND (id, attempt) IN (VALUES :pairs)")
                .param("now", clock.millis()).param("ids", ids).param("pairs", pairs).update();
    }

    /** Experiments of the task queued but whose job the broker has not confirmed yet. */
    public List<ExperimentRecord> unpublished(long taskId) {
        return jdbc.sql("SELECT * FROM experiments WHERE task_id = :task AND state = 'QUEUED' AND queued_at IS NULL "
                        + "ORDER BY seq")
                .param("task", taskId).query(ExperimentStore::map).list();
    }

    /**
     * The GPU counts whose job queues hold published jobs of any task, the one whose oldest job was
     * published first leading: the order in which a worker with free GPUs should ask the queues.
     */
    public QueuedJobs queuedJobs() {
        List<long[]> rows = jdbc.sql("""
                SELECT gpus, MIN(queued_at) AS oldest, MIN(id) AS first_id FROM experiments
                WHERE state = 'QUEUED' AND queued_at IS NOT NULL
                GROUP BY gpus ORDER BY oldest, first_id""")
                .query((rs, row) -> new long[] {rs.getInt("gpus"), rs.getLong("oldest")}).list();
        return new QueuedJobs(rows.stream().map(r -> (int) r[0]).toList(), rows.isEmpty() ? null : rows.get(0)[1]);
    }

    /**
     * The GPU counts whose queues hold jobs, oldest job first, and when that oldest job was
     * published (ms since the epoch; null when no job waits).
     */
    public record QueuedJobs(List<Integer> gpuCountsOldestFirst, Long oldestQueuedAt) {
    }

    /**
     * QUEUED -> RUNNING when a worker announces its claim of this very attempt (of this task); the
     * attempt records its worker only then, so that a stale claim leaves no trace.
     */
    public boolean markRunning(ClaimMessage claim) {
        boolean moved = jdbc.sql("""
                UPDATE experiments SET state = 'RUNNING', worker_id = :worker, gpu_indices = :gpus, started_at = :at
                WHERE id = :id AND attempt = :attempt AND state = 'QUEUED' AND task_id = :task""")
                .param("worker", claim.workerId())
                .param("gpus", Json.write(claim.gpuIndices()))
                .param("at", claim.claimedAtMs())
                .param("id", claim.experimentId())
                .param("attempt", claim.attempt())
                .param("task", claim.taskId())
                .update() == 1;
        if (!moved) {
            return false;
        }
        jdbc.sql("""
                UPDATE attempts SET worker_id = :worker, claimed_at = :at
                WHERE experiment_id = :id AND attempt = :attempt AND claimed_at IS NULL""")
                .param("worker", claim.workerId()).param("at", claim.claimedAtMs())
                .param("id", claim.experimentId()).param("attempt", claim.attempt()).update();
        return true;
    }

    /**
     * Whether this very claim was committed before: the experiment runs the claimed attempt on the
     * claiming worker. A claim delivered again (a batch redelivered after a crash between commit and
     * ack) is a duplicate, not a stale claim whose attempt must be stopped.
     */
    public boolean alreadyClaimed(ClaimMessage claim) {
        return jdbc.sql("""
                SELECT COUNT(*) FROM experiments
                WHERE id = :id AND attempt = :attempt AND state = 'RUNNING' AND worker_id = :worker""")
                .param("id", claim.experimentId()).param("attempt", claim.attempt())
                .param("worker", claim.workerId()).query(Integer.class).single() == 1;
    }

    /**
     * Commits the result of one attempt. Idempotent: the first terminal result of the current
     * attempt wins; a duplicate, a result of an older attempt or one naming another task than the
     * experiment's changes nothing and returns false.
     */
    public boolean commitResult(ResultMessage result, Double objectiveValue) {
        ExperimentState target = switch (result.outcome()) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case TIMED_OUT -> TIMED_OUT;
        };
        boolean moved = move(result.experimentId(), result.attempt(), target, "(worker_id IS NULL OR worker_id = :worker) AND task_id = :task", """
                worker_id = :worker, gpu_indices = :gpus, failure_class = :class, retryable = :retryable,
                error = :error, metrics_json = :metrics, objective_value = :objective,
                started_at = COALESCE(started_at, :started), finished_at = :finished, committed_at = :committed""",
                params("worker", result.workerId(),
                        "task", result.taskId(),
                        "gpus", Json.write(result.gpuIndices()),
                        "class", result.failureClass() == null ? null : result.failureClass().name(),
                        "retryable", result.failureClass() == null ? null : result.failureClass().retryable(),
                        "error", result.error(),
                        "metrics", Json.write(result.metrics()),
                        "objective", objectiveValue,
                        "started", result.startedAtMs(),
                        "finished", result.finishedAtMs(),
                        "committed", clock.millis()));
        // only a result that moved the experiment is recorded: a stale or duplicate one changes nothing
        if (!moved) {
            return false;
        }
        jdbc.sql("""
                UPDATE attempts SET outcome = :outcome, failure_class = :class, error = :error, finished_at = :at,
                    worker_id = COALESCE(worker_id, :worker)
                WHERE experiment_id = :id AND attempt = :attempt AND outcome IS NULL""")
                .param("outcome", result.outcome().name())
                .param("class", result.failureClass() == null ? null : result.failureClass().name())
                .param("error", result.error())
                .param("at", result.finishedAtMs())
                .param("worker", result.workerId())
                .param("id", result.experimentId())
                .param("attempt", result.attempt())
                .update();
        return true;
    }

    /**
     * Gives up on the current attempt (its worker was lost, or it failed in a way worth retrying)
     * and makes the experiment PENDING again as attempt + 1, to be published like a new suggestion.
     * The attempt keeps its outcome and failure class. A late result of the old attempt changes
     * nothing afterwards.
     */
    public boolean requeue(long id, int attempt, String outcome, FailureClass failureClass, String reason) {
        jdbc.sql("""
                UPDATE attempts SET outcome = :outcome, failure_class = :class, error = :reason, finished_at = :now
                WHERE experiment_id = :id AND attempt = :attempt AND outcome IS NULL""")
                .param("outcome", outcome).param("class", failureClass.name()).param("reason", reason)
                .param("now", clock.millis()).param("id", id).param("attempt", attempt).update();
        return move(id, attempt, PENDING, null, """
                attempt = attempt + 1, worker_id = NULL, gpu_indices = NULL, queued_at = NULL, started_at = NULL,
                error = :reason""", params("reason", reason));
    }

    /**
     * How many of the experiment's ended attempts do not count against max_retries
     * ({@link FailureClass#countsAgainstRetries}): those cut short by a stopped worker.
     */
    public int attemptsNotCounted(long id) {
        return jdbc.sql("SELECT COUNT(*) FROM attempts WHERE experiment_id = :id AND failure_class IN (:classes)")
                .param("id", id).param("classes", NOT_COUNTED).query(Integer.class).single();
    }

    /** No result came before the attempt's deadline. */
    public boolean markTimedOut(long id, int attempt, String error) {
        jdbc.sql("""
                UPDATE attempts SET outcome = 'TIMED_OUT', error = :error, finished_at = :now
                WHERE experiment_id = :id AND attempt = :attempt AND outcome IS NULL""")
                .param("error", error).param("now", clock.millis()).param("id", id).param("attempt", attempt).update();
        return move(id, attempt, TIMED_OUT, null, "failure_class = :class, retryable = 0, error = :error, "
                        + "finished_at = :now, committed_at = :now",
                params("class", FailureClass.STARTUP_TIMEOUT.name(), "error", error, "now", clock.millis()));
    }

    /** Ends an experiment without a worker result: given up after its retries, say. */
    public boolean markFailed(long id, int attempt, FailureClass failureClass, String error) {
        return fail(id, attempt, failureClass, error, null);
    }

    /**
     * Fails an attempt no worker can run, only while it still waits QUEUED: a worker the coordinator
     * has not heard from yet may have claimed it since it was read as waiting.
     */
    public boolean markUnschedulable(long id, int attempt, String error) {
        return fail(id, attempt, FailureClass.UNSCHEDULABLE, error, "state = 'QUEUED'");
    }

    private boolean fail(long id, int attempt, FailureClass failureClass, String error, String extraWhere) {
        return move(id, attempt, FAILED, extraWhere, "failure_class = :class, retryable = :retryable, error = :error, "
                        + "finished_at = :now, committed_at = :now",
                params("class", failureClass.name(), "retryable", failureClass.retryable(), "error", error,
                        "now", clock.millis()));
    }

    /** Cancels every experiment of the task that has not ended; returns how many. */
    public int cancelInFlight(long taskId) {
        return jdbc.sql("UPDATE experiments SET state = 'CANCELLED', finished_at = :now, committed_at = :now "
                        + "WHERE task_id = :task AND state IN (:sources)")
                .param("now", clock.millis())
                .param("task", taskId)
                .param("sources", names(ExperimentTransitions.sourcesOf(CANCELLED)))
                .update();
    }

    /** When each experiment's current attempt was queued, by id; those unknown or not queued yet left out. */
    public Map<Long, Long> queuedAt(Collection<Long> ids) {
        return byId("SELECT id, queued_at AS v FROM experiments WHERE id IN (:ids) AND queued_at IS NOT NULL", ids,
                (rs, row) -> rs.getLong("v"));
    }

    /** Each experiment's parameters, by id; those unknown left out. Cheaper than {@link #find}. */
    public Map<Long, Map<String, Object>> parameters(Collection<Long> ids) {
        return byId("SELECT id, parameters_json AS v FROM experiments WHERE id IN (:ids)", ids,
                (rs, row) -> Json.readObject(rs.getString("v")));
    }

    /** One value per experiment, by id, from a query over {@code :ids} selecting {@code id} and {@code v}. */
    private <T> Map<Long, T> byId(String sql, Collection<Long> ids, RowMapper<T> value) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<Long, T> byId = new HashMap<>();
        jdbc.sql(sql).param("ids", ids).query(rs -> {
            byId.put(rs.getLong("id"), value.mapRow(rs, 0));
        });
        return byId;
    }

    public Optional<ExperimentRecord> find(long id) {
        return jdbc.sql("SELECT * FROM experiments WHERE id = :id").param("id", id)
                .query(ExperimentStore::map).optional();
    }

    public List<ExperimentRecord> byTask(long taskId) {
        return jdbc.sql("SELECT * FROM experiments WHERE task_id = :task ORDER BY seq").param("task", taskId)
                .query(ExperimentStore::map).list();
    }

    /**
     * How each experiment of the task stands, for the stopping rules: the few columns they read, in
     * commit order (those not ended last, by seq), with how long its earlier attempts held their GPUs
     * (claimed until given up). Lighter than {@link #byTask} (no JSON to parse), as the rules are
     * checked on every dispatch pass.
     */
    public List<Standing> standings(long taskId) {
        return jdbc.sql(STANDINGS)
                .param("task", taskId)
                .query((rs, row) -> {
                    double objective = rs.getDouble("objective_value");
                    Double objectiveValue = rs.wasNull() ? null : objective;
                    String failure = rs.getString("failure_class");
                    return new Standing(ExperimentState.valueOf(rs.getString("state")), objectiveValue,
                            failure == null ? null : FailureClass.valueOf(failure), rs.getInt("gpus"),
                            TaskStore.nullableLong(rs, "started_at"), TaskStore.nullableLong(rs, "finished_at"),
                            rs.getLong("earlier_ms"));
                })
                .list();
    }

    /**
     * The query of {@link #standings}: in the order of the index {@code experiments_by_commit}, and the
     * earlier attempts summed only for an experiment that had some.
     */
    static final String STANDINGS = """
            SELECT state, objective_value, failure_class, gpus, started_at, finished_at,
                   CASE WHEN e.attempt > 1 THEN
                       (SELECT COALESCE(SUM(MAX(0, a.finished_at - a.claimed_at)), 0) FROM attempts a
                        WHERE a.experiment_id = e.id AND a.attempt < e.attempt) ELSE 0 END AS earlier_ms
            FROM experiments e
            WHERE task_id = :task ORDER BY committed_at IS NULL, committed_at, seq""";

    /** One experiment as {@link #standings} reads it. */
    public record Standing(ExperimentState state, Double objectiveValue, FailureClass failureClass, int gpus,
                           Long startedAt, Long finishedAt, long earlierAttemptsMs) {
    }

    /** Attempts of this experiment, oldest first, as {@code attempt: outcome (error)} lines. */
    public List<String> attemptHistory(long id) {
        return jdbc.sql("SELECT attempt, worker_id, outcome, error FROM attempts WHERE experiment_id = :id ORDER BY attempt")
                .param("id", id)
                .query((rs, row) -> rs.getInt("attempt") + " on " + rs.getString("worker_id") + ": "
                        + rs.getString("outcome") + (rs.getString("error") == null ? "" : " (" + rs.getString("error") + ")"))
                .list();
    }

    /** One page of the task's experiments in suggestion order (the unique index on task and seq serves it). */
    public List<ExperimentRecord> page(long taskId, int offset, int limit) {
        return jdbc.sql("SELECT * FROM experiments WHERE task_id = :task ORDER BY seq LIMIT :limit OFFSET :offset")
                .param("task", taskId).param("limit", limit).param("offset", offset)
                .query(ExperimentStore::map).list();
    }

    public List<ExperimentRecord> inState(long taskId, ExperimentState state) {
        return jdbc.sql("SELECT * FROM experiments WHERE task_id = :task AND state = :state ORDER BY seq")
                .param("task", taskId).param("state", state.name())
                .query(ExperimentStore::map).list();
    }

    /**
     * Experiments of the task in flight (pending, queued, running) and suggested so far, read from
     * the indexes alone: the dispatcher asks after every batch of results, and counting every state
     * of a large task each time grew with the task.
     */
    public Progress progress(long taskId) {
        int inFlight = jdbc.sql("""
                SELECT COUNT(*) FROM experiments
                WHERE task_id = :task AND state IN ('PENDING', 'QUEUED', 'RUNNING')""")
                .param("task", taskId).query(Integer.class).single();
        // seq runs 1, 2, 3... within a task and experiments are never deleted, so the highest is the count.
        int suggested = jdbc.sql("SELECT COALESCE(MAX(seq), 0) FROM experiments WHERE task_id = :task")
                .param("task", taskId).query(Integer.class).single();
        return new Progress(inFlight, suggested);
    }

    /** See {@link #progress}. */
    public record Progress(int inFlight, int suggested) {
    }

    public Map<ExperimentState, Integer> countByState(long taskId) {
        Map<ExperimentState, Integer> counts = new EnumMap<>(ExperimentState.class);
        for (ExperimentState s : ExperimentState.values()) {
            counts.put(s, 0);
        }
        jdbc.sql("SELECT state, COUNT(*) AS n FROM experiments WHERE task_id = :task GROUP BY state")
                .param("task", taskId)
                .query((rs, row) -> counts.put(ExperimentState.valueOf(rs.getString("state")), rs.getInt("n")))
                .list();
        return counts;
    }

    /** The succeeded experiment with the best objective value. */
    public Optional<ExperimentRecord> best(long taskId, boolean higherIsBetter) {
        return ranked(taskId, higherIsBetter, 1).stream().findFirst();
    }

    /** The {@code limit} best succeeded experiments, best first. */
    public List<ExperimentRecord> ranked(long taskId, boolean higherIsBetter, int limit) {
        return jdbc.sql("SELECT * FROM experiments WHERE task_id = :task AND state = 'SUCCEEDED' "
                        + "AND objective_value IS NOT NULL ORDER BY objective_value "
                        + (higherIsBetter ? "DESC" : "ASC") + ", seq LIMIT :limit")
                .param("task", taskId).param("limit", limit)
                .query(ExperimentStore::map).list();
    }

    /** Succeeded experiments of the task that have an objective value. */
    public int countScored(long taskId) {
        return jdbc.sql("SELECT COUNT(*) FROM experiments WHERE task_id = :task AND state = 'SUCCEEDED' "
                        + "AND objective_value IS NOT NULL")
                .param("task", taskId).query(Integer.class).single();
    }

    /**
     * The one guarded update: moves the experiment to {@code target} only from a state the transition
     * table allows, only for the expected attempt, and only where {@code extraWhere} (may be null) holds.
     */
    private boolean move(long id, int attempt, ExperimentState target, String extraWhere, String setClause,
                         Map<String, Object> params) {
        var spec = jdbc.sql("UPDATE experiments SET state = :target, " + setClause
                        + " WHERE id = :id AND attempt = :attempt AND state IN (:sources)"
                        + (extraWhere == null ? "" : " AND " + extraWhere))
                .param("target", target.name())
                .param("id", id)
                .param("attempt", attempt)
                .param("sources", names(ExperimentTransitions.sourcesOf(target)));
        for (var e : params.entrySet()) {
            spec = spec.param(e.getKey(), e.getValue());
        }
        return spec.update() == 1;
    }

    private static Map<String, Object> params(Object... keysAndValues) {
        Map<String, Object> map = new java.util.HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static List<String> names(Set<ExperimentState> states) {
        return states.stream().map(Enum::name).toList();
    }

    static ExperimentRecord map(ResultSet rs, int row) throws SQLException {
        String failure = rs.getString("failure_class");
        int retryable = rs.getInt("retryable");
        Boolean retry = rs.wasNull() ? null : retryable != 0;
        double objective = rs.getDouble("objective_value");
        Double objectiveValue = rs.wasNull() ? null : objective;
        return new ExperimentRecord(rs.getLong("id"), rs.getLong("task_id"), rs.getInt("seq"),
                rs.getString("config_key"), Json.readObject(rs.getString("parameters_json")), rs.getInt("gpus"),
                ExperimentState.valueOf(rs.getString("state")), rs.getInt("attempt"), rs.getString("worker_id"),
                Json.readInts(rs.getString("gpu_indices")), failure == null ? null : FailureClass.valueOf(failure),
                retry, rs.getString("error"), Json.readMetrics(rs.getString("metrics_json")), objectiveValue,
                rs.getLong("created_at"), TaskStore.nullableLong(rs, "queued_at"),
                TaskStore.nullableLong(rs, "started_at"), TaskStore.nullableLong(rs, "finished_at"),
                TaskStore.nullableLong(rs, "committed_at"));
    }
}
