-- Tasks as submitted, and their progress.
CREATE TABLE tasks (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    spec_json          TEXT    NOT NULL,
    strategy           TEXT    NOT NULL,
    objective          TEXT    NOT NULL,
    max_iterations     INTEGER NOT NULL,
    max_parallel       INTEGER NOT NULL,
    stop_reason        TEXT,
    created_at         INTEGER NOT NULL,
    started_at         INTEGER,
    finished_at        INTEGER
);

-- One row per suggested configuration; a configuration appears once per task.
CREATE TABLE experiments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id         INTEGER NOT NULL REFERENCES tasks (id),
    seq             INTEGER NOT NULL,
    config_key      TEXT    NOT NULL,
    parameters_json TEXT    NOT NULL,
    gpus            INTEGER NOT NULL,
    state           TEXT    NOT NULL,
    attempt         INTEGER NOT NULL DEFAULT 1,
    worker_id       TEXT,
    gpu_indices     TEXT,
    failure_class   TEXT,
    retryable       INTEGER,
    error           TEXT,
    metrics_json    TEXT,
    objective_value REAL,
    created_at      INTEGER NOT NULL,
    queued_at       INTEGER,
    started_at      INTEGER,
    finished_at     INTEGER,
    -- when the coordinator committed the end of the experiment: the moment its window slot freed
    committed_at    INTEGER,
    UNIQUE (task_id, seq),
    UNIQUE (task_id, config_key)
);
CREATE INDEX experiments_by_task_state ON experiments (task_id, state);

-- Every attempt of every experiment; a result is committed at most once per attempt.
CREATE TABLE attempts (
    experiment_id INTEGER NOT NULL REFERENCES experiments (id),
    attempt       INTEGER NOT NULL,
    worker_id     TEXT,
    outcome       TEXT,
    failure_class TEXT,
    error         TEXT,
    queued_at     INTEGER NOT NULL,
    claimed_at    INTEGER,
    finished_at   INTEGER,
    PRIMARY KEY (experiment_id, attempt)
);
