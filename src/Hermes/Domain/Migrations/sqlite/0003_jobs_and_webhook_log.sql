CREATE TABLE "hermes_job" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" VARCHAR(100) NOT NULL,
    "payload" TEXT NOT NULL,
    "ordering_key" VARCHAR(100),
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "attempts" INT NOT NULL DEFAULT 0,
    "max_attempts" INT NOT NULL DEFAULT 10,
    "run_after" TEXT NOT NULL,
    "locked_by" VARCHAR(100),
    "locked_until" TEXT,
    "last_error" TEXT,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "finished_at" TEXT
);
CREATE INDEX "hermes_job_due_idx" ON "hermes_job" ("status", "run_after");
CREATE INDEX "hermes_job_key_idx" ON "hermes_job" ("ordering_key", "id");
CREATE TABLE "hermes_webhook" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "source" VARCHAR(20) NOT NULL,
    "received_at" TEXT NOT NULL,
    "object" VARCHAR(50),
    "action" VARCHAR(50),
    "object_ids" VARCHAR(255),
    "outcome" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "body" TEXT NOT NULL
);
CREATE INDEX "hermes_webhook_received_idx" ON "hermes_webhook" ("received_at");
