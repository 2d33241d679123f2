-- crmsync state store, schema version 1 (PostgreSQL 12 or newer).
-- JdbcSyncStateStore applies this file itself, in one transaction, under an advisory lock, and records
-- it in crmsync_schema_version; a DBA may apply it by hand instead (then open the store with
-- JdbcSyncStateStore.openWithoutMigrating). Statements are separated by a line holding only ';'.

-- Where each job's sync left off, per direction. cursor_values is the small string map a connector or
-- the engine defines (see SyncCursor); it is replaced whole at every checkpoint.
CREATE TABLE crmsync_cursor (
    job_id        TEXT        NOT NULL,
    direction     TEXT        NOT NULL,
    cursor_values JSONB       NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, direction)
)
;
-- Records a run could not finish, retried by the next run of the job, oldest (lowest position) first.
-- A replaced record keeps its position.
CREATE TABLE crmsync_pending (
    job_id          TEXT        NOT NULL,
    direction       TEXT        NOT NULL,
    record_key      TEXT        NOT NULL,
    position        BIGSERIAL   NOT NULL,
    attempts        INTEGER     NOT NULL,
    last_error      TEXT        NOT NULL,
    first_failed_at TIMESTAMPTZ NOT NULL,
    remote_fields   JSONB       NOT NULL,
    source          TEXT,
    PRIMARY KEY (job_id, direction, record_key)
)
;
CREATE INDEX crmsync_pending_order ON crmsync_pending (job_id, direction, position)
;
-- API calls taken from each quota key (one CRM account), per bucket: a UTC day (bucket_kind 'DAY',
-- for QuotaWindow.UTC_DAY) or an hour (bucket_kind 'HOUR', for QuotaWindow.ROLLING_24_HOURS, whose
-- window is the sum of the buckets that end within the last 24 hours). Runs reserve calls in blocks
-- with one conditional UPDATE and give back what they did not use; last_grant is the size of the
-- latest reservation, read back by that same statement. Old rows may be deleted at any time; only
-- the current day (or the last 25 hours) matter.
CREATE TABLE crmsync_api_calls (
    quota_key    TEXT        NOT NULL,
    bucket_kind  TEXT        NOT NULL,
    bucket_start TIMESTAMPTZ NOT NULL,
    used         BIGINT      NOT NULL,
    last_grant   BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (quota_key, bucket_kind, bucket_start)
)
;
-- One row per quota key, locked (SELECT ... FOR UPDATE) while a rolling-window reservation sums the
-- hour buckets, so concurrent reservations of one key are serialized.
CREATE TABLE crmsync_quota_lock (
    quota_key TEXT PRIMARY KEY
)
;
-- The lease of the run of a job that is running now: who holds it and until when. The holder renews
-- it while it runs; a lease past expires_at may be taken over by another run (its server died).
CREATE TABLE crmsync_lease (
    job_id      TEXT        PRIMARY KEY,
    owner       TEXT        NOT NULL,
    token       TEXT        NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
)
;
-- Run history: one row per run, inserted when the run starts writing report rows and completed with
-- its report (counts, status, a sample of rows as JSON) when it ends. A run whose server died keeps
-- finished_at NULL.
CREATE TABLE crmsync_run (
    run_id       BIGSERIAL   PRIMARY KEY,
    job_id       TEXT        NOT NULL,
    direction    TEXT        NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       TEXT,
    row_count    BIGINT      NOT NULL DEFAULT 0,
    report_json  TEXT
)
;
CREATE INDEX crmsync_run_job ON crmsync_run (job_id, started_at DESC, run_id DESC)
;
-- Every report row of every run, in the order the run produced them (row_no from 1).
CREATE TABLE crmsync_report_row (
    run_id     BIGINT NOT NULL REFERENCES crmsync_run (run_id) ON DELETE CASCADE,
    row_no     BIGINT NOT NULL,
    record_key TEXT   NOT NULL,
    direction  TEXT   NOT NULL,
    outcome    TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    message    TEXT   NOT NULL,
    local_id   TEXT,
    remote_id  TEXT,
    PRIMARY KEY (run_id, row_no)
)
