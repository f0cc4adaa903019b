-- Graceful hand-backs of a running trial (its worker was shutting down) are counted apart from
-- claims, so only lost workers use up a trial's attempts.
ALTER TABLE trials ADD COLUMN requeues integer NOT NULL DEFAULT 0;
