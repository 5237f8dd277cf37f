-- An organization with webhooks waiting for it (pipedrive_waiting_webhook) says so on its pipedrive_object row, which
-- every event for it reads already: the usual organization event then does not look in the waiting table (issue 14).
-- A constant default: no table rewrite, however many rows.
ALTER TABLE "pipedrive_object" ADD COLUMN "webhooks_waiting" BOOLEAN NOT NULL DEFAULT false;
INSERT INTO "pipedrive_object" ("entity", "pd_id", "webhooks_waiting")
    SELECT DISTINCT 'organization', "org_pd_id", true FROM "pipedrive_waiting_webhook"
    ON CONFLICT ("entity", "pd_id") DO UPDATE SET "webhooks_waiting" = true;
