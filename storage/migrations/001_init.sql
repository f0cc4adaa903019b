-- Core tables. Artefacts are content-addressed blobs; everything else refers to them by hash.
CREATE TABLE artifacts (
  sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes      bytea NOT NULL,
  size       bigint NOT NULL,
  mime       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Named links from any stored object to artefacts (plots, exports, prepared arrays).
CREATE TABLE artifact_links (
  owner_kind text NOT NULL,
  owner_id   text NOT NULL,
  name       text NOT NULL,
  sha256     text NOT NULL REFERENCES artifacts (sha256),
  mime       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_kind, owner_id, name)
);

CREATE TABLE datasets (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  source     jsonb NOT NULL,
  meta       jsonb NOT NULL,
  summary    jsonb NOT NULL,
  eda        jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE models (
  id         text PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  kind       text NOT NULL CHECK (kind IN ('baseline', 'generated', 'user')),
  code       text NOT NULL,
  code_sha   text NOT NULL,
  request    text,
  provider   text,
  iterations integer,
  report     jsonb,
  dims       jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE studies (
  id          text PRIMARY KEY,
  dataset_id  text NOT NULL REFERENCES datasets (id),
  spec        jsonb NOT NULL,
  state       text NOT NULL CHECK (state IN ('queued', 'running', 'finalising', 'done', 'failed', 'cancelled')),
  result      jsonb,
  error       jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE trials (
  study_id     text NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
  number       integer NOT NULL,
  state        text NOT NULL CHECK (state IN ('queued', 'running', 'complete', 'pruned', 'failed', 'cancelled')),
  params       jsonb NOT NULL,
  value        double precision,
  intermediate jsonb NOT NULL DEFAULT '[]',
  metrics      jsonb,
  error        jsonb,
  attempts     integer NOT NULL DEFAULT 0,
  worker       text,
  queued_at    timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz,
  PRIMARY KEY (study_id, number)
);
CREATE INDEX trials_state ON trials (study_id, state);

CREATE TABLE subscriptions (
  id         bigserial PRIMARY KEY,
  study_id   text REFERENCES studies (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('webhook', 'slack', 'discord')),
  target     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_study ON subscriptions (study_id);
