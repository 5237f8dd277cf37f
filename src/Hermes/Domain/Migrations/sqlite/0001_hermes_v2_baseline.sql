-- hermes_v2's tables for the embedded SQLite database. SQLite cannot relax a column later, so the baseline here
-- already has the relaxations that 0002 makes on PostgreSQL.
CREATE TABLE "admin" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "username" VARCHAR(255) NOT NULL,
    "password" VARCHAR(255),
    "tc2_admin_id" INT UNIQUE,
    "pd_owner_id" INT,
    "first_name" VARCHAR(255) NOT NULL DEFAULT '',
    "last_name" VARCHAR(255) NOT NULL DEFAULT '',
    "timezone" VARCHAR(255) NOT NULL DEFAULT 'Europe/London',
    "is_sales_person" INT NOT NULL DEFAULT 0,
    "is_support_person" INT NOT NULL DEFAULT 0,
    "is_bdr_person" INT NOT NULL DEFAULT 0,
    "sells_payg" INT NOT NULL DEFAULT 0,
    "sells_startup" INT NOT NULL DEFAULT 0,
    "sells_enterprise" INT NOT NULL DEFAULT 0,
    "sells_us" INT NOT NULL DEFAULT 0,
    "sells_gb" INT NOT NULL DEFAULT 0,
    "sells_au" INT NOT NULL DEFAULT 0,
    "sells_ca" INT NOT NULL DEFAULT 0,
    "sells_eu" INT NOT NULL DEFAULT 0,
    "sells_row" INT NOT NULL DEFAULT 0
);
CREATE TABLE "stage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "pd_stage_id" INT NOT NULL UNIQUE,
    "name" VARCHAR(255) NOT NULL
);
CREATE TABLE "pipeline" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "pd_pipeline_id" INT NOT NULL UNIQUE,
    "name" VARCHAR(255) NOT NULL,
    "dft_entry_stage_id" INT REFERENCES "stage" ("id") ON DELETE SET NULL
);
CREATE TABLE "config" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meeting_dur_mins" INT NOT NULL DEFAULT 30,
    "meeting_buffer_mins" INT NOT NULL DEFAULT 15,
    "meeting_min_start" VARCHAR(5) NOT NULL DEFAULT '10:00',
    "meeting_max_end" VARCHAR(5) NOT NULL DEFAULT '17:30',
    "payg_pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE SET NULL,
    "startup_pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE SET NULL,
    "enterprise_pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE SET NULL
);
CREATE TABLE "company" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" VARCHAR(255) NOT NULL,
    "tc2_agency_id" INT UNIQUE,
    "tc2_cligency_id" INT UNIQUE,
    "tc2_status" VARCHAR(25) NOT NULL DEFAULT 'pending_email_conf',
    "pd_org_id" INT UNIQUE,
    "created" TEXT NOT NULL,
    "price_plan" VARCHAR(255) NOT NULL DEFAULT 'payg',
    "country" VARCHAR(255),
    "website" VARCHAR(255),
    "paid_invoice_count" INT NOT NULL DEFAULT 0,
    "estimated_income" VARCHAR(255),
    "currency" VARCHAR(255),
    "has_booked_call" INT NOT NULL DEFAULT 0,
    "has_signed_up" INT NOT NULL DEFAULT 0,
    "utm_campaign" VARCHAR(255),
    "utm_source" VARCHAR(255),
    "narc" INT DEFAULT 0,
    "signup_questionnaire" TEXT,
    "sales_person_id" INT NOT NULL REFERENCES "admin" ("id") ON DELETE CASCADE,
    "support_person_id" INT REFERENCES "admin" ("id") ON DELETE CASCADE,
    "bdr_person_id" INT REFERENCES "admin" ("id") ON DELETE CASCADE
);
CREATE TABLE "contact" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tc2_sr_id" INT UNIQUE,
    "pd_person_id" INT UNIQUE,
    "created" TEXT NOT NULL,
    "first_name" VARCHAR(255),
    "last_name" VARCHAR(255),
    "email" VARCHAR(255),
    "phone" VARCHAR(255),
    "country" VARCHAR(255),
    "company_id" INT NOT NULL REFERENCES "company" ("id") ON DELETE CASCADE
);
CREATE TABLE "deal" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "pd_deal_id" INT UNIQUE,
    "name" VARCHAR(255),
    "status" VARCHAR(255) NOT NULL DEFAULT 'open',
    "admin_id" INT NOT NULL REFERENCES "admin" ("id") ON DELETE CASCADE,
    "company_id" INT NOT NULL REFERENCES "company" ("id") ON DELETE CASCADE,
    "contact_id" INT REFERENCES "contact" ("id") ON DELETE SET NULL,
    "pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE SET NULL,
    "stage_id" INT REFERENCES "stage" ("id") ON DELETE SET NULL
);
CREATE TABLE "meeting" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "created" TEXT NOT NULL,
    "start_time" TEXT,
    "end_time" TEXT,
    "status" VARCHAR(255) NOT NULL DEFAULT 'PLANNED',
    "meeting_type" VARCHAR(255) NOT NULL,
    "admin_id" INT NOT NULL REFERENCES "admin" ("id") ON DELETE CASCADE,
    "contact_id" INT NOT NULL REFERENCES "contact" ("id") ON DELETE CASCADE,
    "deal_id" INT REFERENCES "deal" ("id") ON DELETE SET NULL
);
CREATE TABLE "customfield" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" VARCHAR(255) NOT NULL,
    "machine_name" VARCHAR(255),
    "field_type" VARCHAR(255) NOT NULL,
    "hermes_field_name" VARCHAR(255),
    "tc2_machine_name" VARCHAR(255),
    "pd_field_id" VARCHAR(255),
    "linked_object_type" VARCHAR(255) NOT NULL
);
CREATE TABLE "customfieldvalue" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "value" VARCHAR(10000),
    "custom_field_id" INT NOT NULL REFERENCES "customfield" ("id") ON DELETE CASCADE,
    "company_id" INT REFERENCES "company" ("id") ON DELETE CASCADE,
    "contact_id" INT REFERENCES "contact" ("id") ON DELETE CASCADE,
    "deal_id" INT REFERENCES "deal" ("id") ON DELETE CASCADE,
    "meeting_id" INT REFERENCES "meeting" ("id") ON DELETE CASCADE
);
