-- hermes_v2's final schema (aerich migrations 0-7). A database adopted from hermes_v2 already has this; Hermes
-- checks it (SchemaAdoption) and records this migration as applied without running it.
CREATE TABLE "admin" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "username" VARCHAR(255) NOT NULL,
    "password" VARCHAR(255),
    "tc2_admin_id" INT UNIQUE,
    "pd_owner_id" INT,
    "first_name" VARCHAR(255) NOT NULL DEFAULT '',
    "last_name" VARCHAR(255) NOT NULL DEFAULT '',
    "timezone" VARCHAR(255) NOT NULL DEFAULT 'Europe/London',
    "is_sales_person" BOOL NOT NULL DEFAULT False,
    "is_support_person" BOOL NOT NULL DEFAULT False,
    "is_bdr_person" BOOL NOT NULL DEFAULT False,
    "sells_payg" BOOL NOT NULL DEFAULT False,
    "sells_startup" BOOL NOT NULL DEFAULT False,
    "sells_enterprise" BOOL NOT NULL DEFAULT False,
    "sells_us" BOOL NOT NULL DEFAULT False,
    "sells_gb" BOOL NOT NULL DEFAULT False,
    "sells_au" BOOL NOT NULL DEFAULT False,
    "sells_ca" BOOL NOT NULL DEFAULT False,
    "sells_eu" BOOL NOT NULL DEFAULT False,
    "sells_row" BOOL NOT NULL DEFAULT False
);
CREATE TABLE "stage" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "pd_stage_id" INT NOT NULL UNIQUE,
    "name" VARCHAR(255) NOT NULL
);
CREATE TABLE "pipeline" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "pd_pipeline_id" INT NOT NULL UNIQUE,
    "name" VARCHAR(255) NOT NULL,
    "dft_entry_stage_id" INT REFERENCES "stage" ("id") ON DELETE CASCADE
);
CREATE TABLE "config" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "meeting_dur_mins" INT NOT NULL DEFAULT 30,
    "meeting_buffer_mins" INT NOT NULL DEFAULT 15,
    "meeting_min_start" VARCHAR(5) NOT NULL DEFAULT '10:00',
    "meeting_max_end" VARCHAR(5) NOT NULL DEFAULT '17:30',
    "payg_pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE CASCADE,
    "startup_pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE CASCADE,
    "enterprise_pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE CASCADE
);
CREATE TABLE "company" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(255) NOT NULL,
    "tc2_agency_id" INT UNIQUE,
    "tc2_cligency_id" INT UNIQUE,
    "tc2_status" VARCHAR(25) NOT NULL DEFAULT 'pending_email_conf',
    "pd_org_id" INT UNIQUE,
    "created" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "price_plan" VARCHAR(255) NOT NULL DEFAULT 'payg',
    "country" VARCHAR(255),
    "website" VARCHAR(255),
    "paid_invoice_count" INT NOT NULL DEFAULT 0,
    "estimated_income" VARCHAR(255),
    "currency" VARCHAR(255),
    "has_booked_call" BOOL NOT NULL DEFAULT False,
    "has_signed_up" BOOL NOT NULL DEFAULT False,
    "utm_campaign" VARCHAR(255),
    "utm_source" VARCHAR(255),
    "narc" BOOL DEFAULT False,
    "signup_questionnaire" JSONB,
    "sales_person_id" INT NOT NULL REFERENCES "admin" ("id") ON DELETE CASCADE,
    "support_person_id" INT REFERENCES "admin" ("id") ON DELETE CASCADE,
    "bdr_person_id" INT REFERENCES "admin" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "company"."country" IS 'Country code, e.g. GB';
CREATE TABLE "contact" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "tc2_sr_id" INT UNIQUE,
    "pd_person_id" INT UNIQUE,
    "created" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "first_name" VARCHAR(255),
    "last_name" VARCHAR(255),
    "email" VARCHAR(255),
    "phone" VARCHAR(255),
    "country" VARCHAR(255),
    "company_id" INT NOT NULL REFERENCES "company" ("id") ON DELETE CASCADE
);
CREATE TABLE "deal" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "pd_deal_id" INT UNIQUE,
    "name" VARCHAR(255),
    "status" VARCHAR(255) NOT NULL DEFAULT 'open',
    "admin_id" INT NOT NULL REFERENCES "admin" ("id") ON DELETE CASCADE,
    "company_id" INT NOT NULL REFERENCES "company" ("id") ON DELETE CASCADE,
    "contact_id" INT REFERENCES "contact" ("id") ON DELETE CASCADE,
    "pipeline_id" INT NOT NULL REFERENCES "pipeline" ("id") ON DELETE CASCADE,
    "stage_id" INT NOT NULL REFERENCES "stage" ("id") ON DELETE CASCADE
);
CREATE TABLE "meeting" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "created" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "start_time" TIMESTAMPTZ,
    "end_time" TIMESTAMPTZ,
    "status" VARCHAR(255) NOT NULL DEFAULT 'PLANNED',
    "meeting_type" VARCHAR(255) NOT NULL,
    "admin_id" INT NOT NULL REFERENCES "admin" ("id") ON DELETE CASCADE,
    "contact_id" INT NOT NULL REFERENCES "contact" ("id") ON DELETE CASCADE,
    "deal_id" INT REFERENCES "deal" ("id") ON DELETE SET NULL
);
CREATE TABLE "customfield" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(255) NOT NULL,
    "machine_name" VARCHAR(255),
    "field_type" VARCHAR(255) NOT NULL,
    "hermes_field_name" VARCHAR(255),
    "tc2_machine_name" VARCHAR(255),
    "pd_field_id" VARCHAR(255),
    "linked_object_type" VARCHAR(255) NOT NULL
);
CREATE TABLE "customfieldvalue" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "value" VARCHAR(10000),
    "custom_field_id" INT NOT NULL REFERENCES "customfield" ("id") ON DELETE CASCADE,
    "company_id" INT REFERENCES "company" ("id") ON DELETE CASCADE,
    "contact_id" INT REFERENCES "contact" ("id") ON DELETE CASCADE,
    "deal_id" INT REFERENCES "deal" ("id") ON DELETE CASCADE,
    "meeting_id" INT REFERENCES "meeting" ("id") ON DELETE CASCADE
);
