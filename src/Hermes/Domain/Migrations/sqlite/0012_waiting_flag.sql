-- An organization with webhooks waiting for it says so on its pipedrive_object row (see the PostgreSQL migration).
ALTER TABLE "pipedrive_object" ADD COLUMN "webhooks_waiting" INTEGER NOT NULL DEFAULT 0;
INSERT INTO "pipedrive_object" ("entity", "pd_id", "webhooks_waiting")
    SELECT DISTINCT 'organization', "org_pd_id", 1 FROM "pipedrive_waiting_webhook" WHERE true
    ON CONFLICT ("entity", "pd_id") DO UPDATE SET "webhooks_waiting" = 1;
