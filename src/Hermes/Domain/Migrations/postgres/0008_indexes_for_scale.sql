-- hermes:no-transaction
-- The indexes Hermes's queries need so that every path costs the same with a million companies as with ten thousand
-- (bench/QUERY_PLANS.md has the plans). hermes_v2 created none beyond its primary keys and unique columns, so without
-- these every include, cascade and match scans its table. Tables and columns stay exactly as hermes_v2 made them.
--
-- A live hermes_v2 database is adopted while it keeps taking writes, so this migration runs outside a transaction
-- (the marker above; SchemaMigrator runs each statement on its own) and builds every index CONCURRENTLY. A build that
-- fails or is interrupted leaves an invalid index behind: SchemaMigrator drops the invalid indexes named here before
-- running it again, and records the migration only once every index named here exists and is valid.
-- Each statement must end with a semicolon at the end of a line.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Foreign keys: the includes of /companies/ and the admin pages, the booking's lookups, and the cascades of a delete
-- (an organization deleted in Pipedrive takes its contacts, deals, meetings and custom field values with it).
CREATE INDEX CONCURRENTLY IF NOT EXISTS "contact_company_id_idx" ON "contact" ("company_id");
CREATE INDEX CONCURRENTLY IF NOT EXISTS "deal_company_id_idx" ON "deal" ("company_id");
CREATE INDEX CONCURRENTLY IF NOT EXISTS "deal_contact_id_idx" ON "deal" ("contact_id") WHERE "contact_id" IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS "deal_admin_id_idx" ON "deal" ("admin_id");
CREATE INDEX CONCURRENTLY IF NOT EXISTS "deal_pipeline_id_idx" ON "deal" ("pipeline_id") WHERE "pipeline_id" IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS "deal_stage_id_idx" ON "deal" ("stage_id") WHERE "stage_id" IS NOT NULL;
-- A contact's meetings around a time (the booking's ±2 h rule); an admin's meetings that end after a slot starts (is
-- the admin free? only recent and future meetings, however many the admin has had).
CREATE INDEX CONCURRENTLY IF NOT EXISTS "meeting_contact_start_idx" ON "meeting" ("contact_id", "start_time");
CREATE INDEX CONCURRENTLY IF NOT EXISTS "meeting_admin_end_idx" ON "meeting" ("admin_id", "end_time");
CREATE INDEX CONCURRENTLY IF NOT EXISTS "meeting_deal_id_idx" ON "meeting" ("deal_id") WHERE "deal_id" IS NOT NULL;
-- Upcoming meetings (dashboard) and the meeting list's default order.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "meeting_start_idx" ON "meeting" ("start_time");
-- Who looks after a company: an admin's companies, and refusing to delete an admin who still has some.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "company_sales_person_id_idx" ON "company" ("sales_person_id");
CREATE INDEX CONCURRENTLY IF NOT EXISTS "company_support_person_id_idx" ON "company" ("support_person_id") WHERE "support_person_id" IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS "company_bdr_person_id_idx" ON "company" ("bdr_person_id") WHERE "bdr_person_id" IS NOT NULL;

-- Matching, as the queries compare: /companies/?name= and ?website= (exact); a booking's company by name and
-- Pipedrive's organization by name (trimmed, case-insensitive); a contact by email (case-insensitive: the booking,
-- TC2's paid recipients, Pipedrive's persons) or by phone.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "company_name_idx" ON "company" ("name", "id");
-- (EF Core writes string.Trim() as btrim(x, E' \t\n\r'), so the index says the same.)
CREATE INDEX CONCURRENTLY IF NOT EXISTS "company_name_ci_idx" ON "company" (lower(btrim("name", E' \t\n\r')));
CREATE INDEX CONCURRENTLY IF NOT EXISTS "company_website_idx" ON "company" ("website");
CREATE INDEX CONCURRENTLY IF NOT EXISTS "contact_email_ci_idx" ON "contact" (lower("email"));
CREATE INDEX CONCURRENTLY IF NOT EXISTS "contact_phone_idx" ON "contact" ("phone");

-- Round robin: the newest company on a plan (sales), the newest with a support person (support); the company list's
-- default order.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "company_plan_created_idx" ON "company" ("price_plan", "created" DESC, "id" DESC);
CREATE INDEX CONCURRENTLY IF NOT EXISTS "company_created_idx" ON "company" ("created", "id");
-- A company's open deal (the booking) and the dashboard's count of open deals.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "deal_open_idx" ON "deal" ("company_id") WHERE "status" = 'open';

-- Admin search ("contains", case-insensitive) by trigrams. The expressions are exactly the ones the list pages search
-- (Admin/Search.cs); an index on anything else would not be used.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "company_search_trgm_idx" ON "company"
    USING gin ((("name" || ' ') || COALESCE("website", '')) gin_trgm_ops);
CREATE INDEX CONCURRENTLY IF NOT EXISTS "contact_search_trgm_idx" ON "contact"
    USING gin ((((((((COALESCE("first_name", '') || ' ') || COALESCE("last_name", '')) || ' ') || COALESCE("email", '')) || ' ') || COALESCE("phone", ''))) gin_trgm_ops);
CREATE INDEX CONCURRENTLY IF NOT EXISTS "deal_search_trgm_idx" ON "deal" USING gin ("name" gin_trgm_ops);

-- The dashboard: failed jobs, newest first, and what Pipedrive deleted.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "hermes_job_failed_idx" ON "hermes_job" ("updated_at" DESC, "id" DESC) WHERE "status" = 'failed';
CREATE INDEX CONCURRENTLY IF NOT EXISTS "pipedrive_object_deleted_idx" ON "pipedrive_object" ("deleted_at" DESC) WHERE "deleted_at" IS NOT NULL;
-- Deals waiting for a person Pipedrive has not sent yet: looked up at every new person.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "pipedrive_object_ref_person_idx" ON "pipedrive_object" ("ref_person_id") WHERE "ref_person_id" IS NOT NULL;

-- One value per custom field and owner. hermes_v2 never enforced it (its update_or_create fails once there are two), so
-- an adopted database may hold duplicates: the lowest id is the one Hermes reads and writes, and the others are moved
-- to hermes_customfieldvalue_duplicate (kept, not lost) before the unique indexes are built. If hermes_v2 writes a new
-- duplicate while they build, the build fails and the next start moves it and builds again. Each index leads with its
-- owner column, so it also serves that foreign key's cascade.
CREATE TABLE IF NOT EXISTS "hermes_customfieldvalue_duplicate" (
    "id" INT NOT NULL PRIMARY KEY,
    "value" VARCHAR(10000),
    "custom_field_id" INT NOT NULL,
    "company_id" INT,
    "contact_id" INT,
    "deal_id" INT,
    "meeting_id" INT,
    "moved_at" TIMESTAMPTZ NOT NULL DEFAULT now()
);
WITH "extra" AS (
    SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "custom_field_id", "company_id" ORDER BY "id") AS "n" FROM "customfieldvalue" WHERE "company_id" IS NOT NULL) AS "v" WHERE "n" > 1
    UNION SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "custom_field_id", "contact_id" ORDER BY "id") AS "n" FROM "customfieldvalue" WHERE "contact_id" IS NOT NULL) AS "v" WHERE "n" > 1
    UNION SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "custom_field_id", "deal_id" ORDER BY "id") AS "n" FROM "customfieldvalue" WHERE "deal_id" IS NOT NULL) AS "v" WHERE "n" > 1
    UNION SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "custom_field_id", "meeting_id" ORDER BY "id") AS "n" FROM "customfieldvalue" WHERE "meeting_id" IS NOT NULL) AS "v" WHERE "n" > 1
), "moved" AS (
    DELETE FROM "customfieldvalue" WHERE "id" IN (SELECT "id" FROM "extra")
    RETURNING "id", "value", "custom_field_id", "company_id", "contact_id", "deal_id", "meeting_id"
)
INSERT INTO "hermes_customfieldvalue_duplicate" ("id", "value", "custom_field_id", "company_id", "contact_id", "deal_id", "meeting_id")
SELECT * FROM "moved" ON CONFLICT ("id") DO NOTHING;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "customfieldvalue_company_field_key" ON "customfieldvalue" ("company_id", "custom_field_id") WHERE "company_id" IS NOT NULL;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "customfieldvalue_contact_field_key" ON "customfieldvalue" ("contact_id", "custom_field_id") WHERE "contact_id" IS NOT NULL;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "customfieldvalue_deal_field_key" ON "customfieldvalue" ("deal_id", "custom_field_id") WHERE "deal_id" IS NOT NULL;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "customfieldvalue_meeting_field_key" ON "customfieldvalue" ("meeting_id", "custom_field_id") WHERE "meeting_id" IS NOT NULL;
-- Values of one custom field: its delete cascades by this, and the custom field pages count them.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "customfieldvalue_custom_field_id_idx" ON "customfieldvalue" ("custom_field_id");
