-- Running Hermes in production (issue 15).
-- The W3C trace context (traceparent) of the request or job that queued a job, so the job's run continues that trace.
ALTER TABLE "hermes_job" ADD COLUMN "trace_parent" VARCHAR(55);
-- Retention deletes finished jobs by age.
CREATE INDEX "hermes_job_done_idx" ON "hermes_job" ("finished_at") WHERE "status" = 'done';
-- A recurring job (ordering key 'recurring:<kind>') has one scheduled row, however many processes schedule it.
CREATE UNIQUE INDEX "hermes_job_recurring_idx" ON "hermes_job" ("ordering_key")
    WHERE "ordering_key" LIKE 'recurring:%' AND "status" IN ('pending', 'running');
-- ASP.NET Core data-protection keys (they sign the admin cookie and antiforgery tokens), shared by every process.
CREATE TABLE "hermes_data_protection_key" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "friendly_name" TEXT,
    "xml" TEXT
);
