-- A person deleted in Pipedrive keeps the TC2 paid recipient its contact stood for (see the PostgreSQL migration).
ALTER TABLE "pipedrive_object" ADD COLUMN "tc2_sr_id" INT;
CREATE INDEX "pipedrive_object_sr_idx" ON "pipedrive_object" ("tc2_sr_id");
