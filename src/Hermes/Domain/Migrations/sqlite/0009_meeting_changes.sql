-- Prospects reschedule or cancel their own call (see the PostgreSQL migration).
ALTER TABLE "meeting" ADD COLUMN "google_event_id" VARCHAR(1024);

CREATE TABLE "meeting_change" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meeting_id" INT NOT NULL REFERENCES "meeting" ("id") ON DELETE CASCADE,
    "created" TEXT NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "from_start" TEXT,
    "to_start" TEXT,
    "reason" TEXT,
    "actor" VARCHAR(255) NOT NULL
);
CREATE INDEX "meeting_change_meeting_idx" ON "meeting_change" ("meeting_id");
