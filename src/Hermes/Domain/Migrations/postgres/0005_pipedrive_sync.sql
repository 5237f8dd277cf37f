-- The Hermes → Pipedrive sync (behaviour.md §6).
-- A meeting's Pipedrive activity, so the activity is created once however often the job runs.
ALTER TABLE "meeting" ADD COLUMN "pd_activity_id" INT;
CREATE UNIQUE INDEX "meeting_pd_activity_id_key" ON "meeting" ("pd_activity_id") WHERE "pd_activity_id" IS NOT NULL;

-- A create sent to Pipedrive whose answer Hermes may not have seen (a timeout, a crash): before creating again, the
-- sync looks for the object it may already have made (by its hermes_id), so a retry never makes a twin.
CREATE TABLE "pipedrive_create_attempt" (
    "entity" VARCHAR(20) NOT NULL,
    "hermes_id" INT NOT NULL,
    "attempted_at" TIMESTAMPTZ NOT NULL,
    PRIMARY KEY ("entity", "hermes_id")
);

-- One Pipedrive rate limiter for every worker of every Hermes process on this database: each request to Pipedrive
-- takes a slot (per bucket: every request is 'general', searches are also 'search') that counts from when it was sent
-- until 2 s after its answer came back; a request waits while a bucket's window is full or the bucket is blocked
-- (after a 429, a Cloudflare 403 or x-ratelimit-remaining: 0).
CREATE TABLE "pipedrive_rate_slot" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "bucket" VARCHAR(20) NOT NULL,
    "started_at" TIMESTAMPTZ NOT NULL,
    "finished_at" TIMESTAMPTZ
);
CREATE INDEX "pipedrive_rate_slot_bucket_idx" ON "pipedrive_rate_slot" ("bucket", "started_at");
CREATE TABLE "pipedrive_rate_limit" (
    "bucket" VARCHAR(20) NOT NULL PRIMARY KEY,
    "blocked_until" TIMESTAMPTZ,
    "observed_limit" INT
);
INSERT INTO "pipedrive_rate_limit" ("bucket") VALUES ('general'), ('search');
