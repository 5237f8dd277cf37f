-- The durable job queue (outbound work, enqueued in the transaction of the change that caused it) and the log of
-- every webhook received.
CREATE TABLE "hermes_job" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(100) NOT NULL,
    "payload" TEXT NOT NULL,
    "ordering_key" VARCHAR(100),
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "attempts" INT NOT NULL DEFAULT 0,
    "max_attempts" INT NOT NULL DEFAULT 10,
    "run_after" TIMESTAMPTZ NOT NULL,
    "locked_by" VARCHAR(100),
    "locked_until" TIMESTAMPTZ,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "finished_at" TIMESTAMPTZ
);
-- What the claim query scans: due pending jobs, and running jobs whose lease ran out.
CREATE INDEX "hermes_job_due_idx" ON "hermes_job" ("status", "run_after") WHERE "status" IN ('pending', 'running');
CREATE INDEX "hermes_job_key_idx" ON "hermes_job" ("ordering_key", "id") WHERE "status" IN ('pending', 'running');

CREATE TABLE "hermes_webhook" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "source" VARCHAR(20) NOT NULL,
    "received_at" TIMESTAMPTZ NOT NULL,
    "object" VARCHAR(50),
    "action" VARCHAR(50),
    "object_ids" VARCHAR(255),
    "outcome" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "body" TEXT NOT NULL
);
CREATE INDEX "hermes_webhook_received_idx" ON "hermes_webhook" ("received_at" DESC);
