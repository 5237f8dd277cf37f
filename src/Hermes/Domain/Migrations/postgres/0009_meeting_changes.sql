-- Prospects reschedule or cancel their own call: the meeting remembers its Google Calendar event (null for meetings
-- booked before this, which are changed by hand), and each move or cancellation is kept. hermes_v2's columns are untouched.
ALTER TABLE "meeting" ADD COLUMN "google_event_id" VARCHAR(1024);

CREATE TABLE "meeting_change" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "meeting_id" INT NOT NULL REFERENCES "meeting" ("id") ON DELETE CASCADE,
    "created" TIMESTAMPTZ NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "from_start" TIMESTAMPTZ,
    "to_start" TIMESTAMPTZ,
    "reason" TEXT,
    "actor" VARCHAR(255) NOT NULL
);
CREATE INDEX "meeting_change_meeting_idx" ON "meeting_change" ("meeting_id");
