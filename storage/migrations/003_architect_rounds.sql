-- Architect rounds of a study: after a round of trials the architect proposes models from the
-- leaderboard and they join the running study. One row per round; the coordinator starts a
-- round (row and job in one transaction), the architect job closes it with what it added.
CREATE TABLE study_rounds (
  study_id    text NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
  round       integer NOT NULL CHECK (round >= 1),
  state       text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  request     text,
  added       jsonb NOT NULL DEFAULT '[]',
  rejected    jsonb NOT NULL DEFAULT '[]',
  error       jsonb,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (study_id, round)
);

-- Where a generated model came from: parent models, the study and round that proposed it, the
-- steering request. NULL for baselines, user models and models generated outside a study.
ALTER TABLE models ADD COLUMN lineage jsonb;
