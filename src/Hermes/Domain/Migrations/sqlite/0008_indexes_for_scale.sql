-- The indexes Hermes's queries need at scale (the PostgreSQL migration of the same number says why each exists).
-- SQLite has no trigram index: admin search here matches from the start of a name, an email or a phone, which the
-- NOCASE indexes serve (SQLite's LIKE is case-insensitive).
CREATE INDEX IF NOT EXISTS "contact_company_id_idx" ON "contact" ("company_id");
CREATE INDEX IF NOT EXISTS "deal_company_id_idx" ON "deal" ("company_id");
CREATE INDEX IF NOT EXISTS "deal_contact_id_idx" ON "deal" ("contact_id") WHERE "contact_id" IS NOT NULL;
CREATE INDEX IF NOT EXISTS "deal_admin_id_idx" ON "deal" ("admin_id");
CREATE INDEX IF NOT EXISTS "deal_pipeline_id_idx" ON "deal" ("pipeline_id") WHERE "pipeline_id" IS NOT NULL;
CREATE INDEX IF NOT EXISTS "deal_stage_id_idx" ON "deal" ("stage_id") WHERE "stage_id" IS NOT NULL;
CREATE INDEX IF NOT EXISTS "meeting_contact_start_idx" ON "meeting" ("contact_id", "start_time");
CREATE INDEX IF NOT EXISTS "meeting_admin_end_idx" ON "meeting" ("admin_id", "end_time");
CREATE INDEX IF NOT EXISTS "meeting_deal_id_idx" ON "meeting" ("deal_id") WHERE "deal_id" IS NOT NULL;
CREATE INDEX IF NOT EXISTS "meeting_start_idx" ON "meeting" ("start_time");
CREATE INDEX IF NOT EXISTS "company_sales_person_id_idx" ON "company" ("sales_person_id");
CREATE INDEX IF NOT EXISTS "company_support_person_id_idx" ON "company" ("support_person_id") WHERE "support_person_id" IS NOT NULL;
CREATE INDEX IF NOT EXISTS "company_bdr_person_id_idx" ON "company" ("bdr_person_id") WHERE "bdr_person_id" IS NOT NULL;

CREATE INDEX IF NOT EXISTS "company_name_idx" ON "company" ("name", "id");
CREATE INDEX IF NOT EXISTS "company_name_ci_idx" ON "company" (lower(trim("name")));
CREATE INDEX IF NOT EXISTS "company_website_idx" ON "company" ("website");
CREATE INDEX IF NOT EXISTS "contact_email_ci_idx" ON "contact" (lower("email"));
CREATE INDEX IF NOT EXISTS "contact_phone_idx" ON "contact" ("phone");

CREATE INDEX IF NOT EXISTS "company_plan_created_idx" ON "company" ("price_plan", "created" DESC, "id" DESC);
CREATE INDEX IF NOT EXISTS "company_created_idx" ON "company" ("created", "id");
CREATE INDEX IF NOT EXISTS "deal_open_idx" ON "deal" ("company_id") WHERE "status" = 'open';

-- Prefix search (admin lists).
CREATE INDEX IF NOT EXISTS "company_name_nocase_idx" ON "company" ("name" COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS "contact_first_name_nocase_idx" ON "contact" ("first_name" COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS "contact_last_name_nocase_idx" ON "contact" ("last_name" COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS "contact_email_nocase_idx" ON "contact" ("email" COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS "contact_phone_nocase_idx" ON "contact" ("phone" COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS "deal_name_nocase_idx" ON "deal" ("name" COLLATE NOCASE);

CREATE INDEX IF NOT EXISTS "hermes_job_failed_idx" ON "hermes_job" ("updated_at" DESC, "id" DESC) WHERE "status" = 'failed';
CREATE INDEX IF NOT EXISTS "pipedrive_object_deleted_idx" ON "pipedrive_object" ("deleted_at" DESC) WHERE "deleted_at" IS NOT NULL;
-- Deals waiting for a person Pipedrive has not sent yet: looked up at every new person.
CREATE INDEX IF NOT EXISTS "pipedrive_object_ref_person_idx" ON "pipedrive_object" ("ref_person_id") WHERE "ref_person_id" IS NOT NULL;

-- One value per custom field and owner: duplicates (the lowest id is the one Hermes reads) are moved aside first.
CREATE TABLE IF NOT EXISTS "hermes_customfieldvalue_duplicate" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "value" VARCHAR(10000),
    "custom_field_id" INT NOT NULL,
    "company_id" INT,
    "contact_id" INT,
    "deal_id" INT,
    "meeting_id" INT,
    "moved_at" TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TEMP TABLE "hermes_extra_value" AS
    SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "custom_field_id", "company_id" ORDER BY "id") AS "n" FROM "customfieldvalue" WHERE "company_id" IS NOT NULL) WHERE "n" > 1
    UNION SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "custom_field_id", "contact_id" ORDER BY "id") AS "n" FROM "customfieldvalue" WHERE "contact_id" IS NOT NULL) WHERE "n" > 1
    UNION SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "custom_field_id", "deal_id" ORDER BY "id") AS "n" FROM "customfieldvalue" WHERE "deal_id" IS NOT NULL) WHERE "n" > 1
    UNION SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "custom_field_id", "meeting_id" ORDER BY "id") AS "n" FROM "customfieldvalue" WHERE "meeting_id" IS NOT NULL) WHERE "n" > 1;
INSERT OR IGNORE INTO "hermes_customfieldvalue_duplicate" ("id", "value", "custom_field_id", "company_id", "contact_id", "deal_id", "meeting_id")
    SELECT "id", "value", "custom_field_id", "company_id", "contact_id", "deal_id", "meeting_id" FROM "customfieldvalue" WHERE "id" IN (SELECT "id" FROM "hermes_extra_value");
DELETE FROM "customfieldvalue" WHERE "id" IN (SELECT "id" FROM "hermes_extra_value");
DROP TABLE "hermes_extra_value";
CREATE UNIQUE INDEX IF NOT EXISTS "customfieldvalue_company_field_key" ON "customfieldvalue" ("company_id", "custom_field_id") WHERE "company_id" IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS "customfieldvalue_contact_field_key" ON "customfieldvalue" ("contact_id", "custom_field_id") WHERE "contact_id" IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS "customfieldvalue_deal_field_key" ON "customfieldvalue" ("deal_id", "custom_field_id") WHERE "deal_id" IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS "customfieldvalue_meeting_field_key" ON "customfieldvalue" ("meeting_id", "custom_field_id") WHERE "meeting_id" IS NOT NULL;
CREATE INDEX IF NOT EXISTS "customfieldvalue_custom_field_id_idx" ON "customfieldvalue" ("custom_field_id");
