-- Liveness: the worker running a trial writes heartbeat_at every few seconds, so a trial whose
-- worker froze or died is requeued within seconds instead of when its queue lease runs out.
ALTER TABLE trials ADD COLUMN heartbeat_at timestamptz;
-- Runner deaths not caused by the model (a signal, the OOM killer) retried so far; they are
-- counted apart from lost workers and graceful hand-backs.
ALTER TABLE trials ADD COLUMN retries integer NOT NULL DEFAULT 0;
-- A finished trial's test-split evaluation, stored once by finalisation, so that a finaliser
-- restarted mid-way resumes instead of evaluating every top trial again.
ALTER TABLE trials ADD COLUMN evaluation jsonb;
CREATE INDEX trials_running_heartbeat ON trials (heartbeat_at) WHERE state = 'running';
