-- MCP Tasks (tools/call with a `task`): one row per task, so a client polling tasks/get after a
-- reconnect, or after the server restarted, gets an answer from the database. A search task
-- follows its study (study_id); other tools run in the process named by owner, and a task whose
-- owner is gone is failed on the next read instead of being reported as working forever.
CREATE TABLE tool_tasks (
  id text PRIMARY KEY,
  tool text NOT NULL,
  status text NOT NULL CHECK (status IN ('working', 'completed', 'failed', 'cancelled')),
  status_message text,
  study_id text,
  run_id text,
  owner text NOT NULL,
  session_id text,
  result jsonb,
  ttl_ms integer,
  poll_interval_ms integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tool_tasks_created ON tool_tasks (created_at DESC, id);
