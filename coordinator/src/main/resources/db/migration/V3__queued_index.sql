-- The job queues that hold jobs, oldest first, asked after every dispatch pass: a partial index keeps
-- the answer to the few queued experiments however many finished ones the database holds.
CREATE INDEX experiments_queued ON experiments (gpus, queued_at, id) WHERE state = 'QUEUED';
