-- Running Hermes in production (see the PostgreSQL migration).
ALTER TABLE "hermes_job" ADD COLUMN "trace_parent" VARCHAR(55);
CREATE INDEX "hermes_job_done_idx" ON "hermes_job" ("finished_at") WHERE "status" = 'done';
CREATE UNIQUE INDEX "hermes_job_recurring_idx" ON "hermes_job" ("ordering_key")
    WHERE "ordering_key" LIKE 'recurring:%' AND "status" IN ('pending', 'running');
CREATE TABLE "hermes_data_protection_key" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "friendly_name" TEXT,
    "xml" TEXT
);
