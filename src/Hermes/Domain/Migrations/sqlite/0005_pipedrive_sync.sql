-- See the PostgreSQL migration. SQLite runs a single Hermes process, so its Pipedrive rate limiter lives in memory.
ALTER TABLE "meeting" ADD COLUMN "pd_activity_id" INT;
CREATE UNIQUE INDEX "meeting_pd_activity_id_key" ON "meeting" ("pd_activity_id") WHERE "pd_activity_id" IS NOT NULL;
CREATE TABLE "pipedrive_create_attempt" (
    "entity" VARCHAR(20) NOT NULL,
    "hermes_id" INT NOT NULL,
    "attempted_at" TEXT NOT NULL,
    PRIMARY KEY ("entity", "hermes_id")
);
