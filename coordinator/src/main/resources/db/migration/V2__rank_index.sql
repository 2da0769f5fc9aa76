-- The best experiments of a task by objective value (/best, the Pareto front) without sorting the
-- whole task; with 100,000 experiments a sort took hundreds of milliseconds.
CREATE INDEX experiments_by_task_state_objective ON experiments (task_id, state, objective_value);
