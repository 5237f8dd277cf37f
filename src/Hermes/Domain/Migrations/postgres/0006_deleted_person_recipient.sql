-- A person deleted in Pipedrive keeps the TC2 paid recipient its contact stood for, so TC2's next event for that
-- client, which brings the contact back into Hermes (the checklist), does not make the person again in Pipedrive.
ALTER TABLE "pipedrive_object" ADD COLUMN "tc2_sr_id" INT;
CREATE INDEX "pipedrive_object_sr_idx" ON "pipedrive_object" ("tc2_sr_id") WHERE "deleted_at" IS NOT NULL;
