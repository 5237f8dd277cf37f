-- A database as hermes_v2 left it: its tables as Tortoise/aerich created them (aerich's naming, its own tables, a
-- comment or two), and sample rows in every table with ids that have gaps, as a production database has.
CREATE TABLE IF NOT EXISTS "admin" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "username" VARCHAR(255) NOT NULL,
    "password" VARCHAR(255),
    "tc2_admin_id" INT  UNIQUE,
    "pd_owner_id" INT,
    "first_name" VARCHAR(255) NOT NULL  DEFAULT '',
    "last_name" VARCHAR(255) NOT NULL  DEFAULT '',
    "timezone" VARCHAR(255) NOT NULL  DEFAULT 'Europe/London',
    "is_sales_person" BOOL NOT NULL  DEFAULT False,
    "is_support_person" BOOL NOT NULL  DEFAULT False,
    "is_bdr_person" BOOL NOT NULL  DEFAULT False,
    "sells_payg" BOOL NOT NULL  DEFAULT False,
    "sells_startup" BOOL NOT NULL  DEFAULT False,
    "sells_enterprise" BOOL NOT NULL  DEFAULT False,
    "sells_us" BOOL NOT NULL  DEFAULT False,
    "sells_gb" BOOL NOT NULL  DEFAULT False,
    "sells_au" BOOL NOT NULL  DEFAULT False,
    "sells_ca" BOOL NOT NULL  DEFAULT False,
    "sells_eu" BOOL NOT NULL  DEFAULT False,
    "sells_row" BOOL NOT NULL  DEFAULT False
);
COMMENT ON COLUMN "admin"."username" IS 'Use their ACTUAL email address, not META';
CREATE TABLE IF NOT EXISTS "stage" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "pd_stage_id" INT NOT NULL UNIQUE,
    "name" VARCHAR(255) NOT NULL
);
CREATE TABLE IF NOT EXISTS "pipeline" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "pd_pipeline_id" INT NOT NULL UNIQUE,
    "name" VARCHAR(255) NOT NULL,
    "dft_entry_stage_id" INT REFERENCES "stage" ("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "config" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "meeting_dur_mins" INT NOT NULL  DEFAULT 30,
    "meeting_buffer_mins" INT NOT NULL  DEFAULT 15,
    "meeting_min_start" VARCHAR(5) NOT NULL  DEFAULT '10:00',
    "meeting_max_end" VARCHAR(5) NOT NULL  DEFAULT '17:30',
    "enterprise_pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE CASCADE,
    "payg_pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE CASCADE,
    "startup_pipeline_id" INT REFERENCES "pipeline" ("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "company" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(255) NOT NULL,
    "tc2_agency_id" INT  UNIQUE,
    "tc2_cligency_id" INT  UNIQUE,
    "tc2_status" VARCHAR(25) NOT NULL  DEFAULT 'pending_email_conf',
    "pd_org_id" INT  UNIQUE,
    "created" TIMESTAMPTZ NOT NULL  DEFAULT CURRENT_TIMESTAMP,
    "price_plan" VARCHAR(255) NOT NULL  DEFAULT 'payg',
    "country" VARCHAR(255),
    "website" VARCHAR(255),
    "paid_invoice_count" INT NOT NULL  DEFAULT 0,
    "estimated_income" VARCHAR(255),
    "currency" VARCHAR(255),
    "has_booked_call" BOOL NOT NULL  DEFAULT False,
    "has_signed_up" BOOL NOT NULL  DEFAULT False,
    "utm_campaign" VARCHAR(255),
    "utm_source" VARCHAR(255),
    "narc" BOOL   DEFAULT False,
    "signup_questionnaire" JSONB,
    "bdr_person_id" INT REFERENCES "admin" ("id") ON DELETE CASCADE,
    "sales_person_id" INT NOT NULL REFERENCES "admin" ("id") ON DELETE CASCADE,
    "support_person_id" INT REFERENCES "admin" ("id") ON DELETE CASCADE
);
COMMENT ON COLUMN "company"."country" IS 'Country code, e.g. GB';
CREATE TABLE IF NOT EXISTS "contact" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "tc2_sr_id" INT  UNIQUE,
    "pd_person_id" INT  UNIQUE,
    "created" TIMESTAMPTZ NOT NULL  DEFAULT CURRENT_TIMESTAMP,
    "first_name" VARCHAR(255),
    "last_name" VARCHAR(255),
    "email" VARCHAR(255),
    "phone" VARCHAR(255),
    "country" VARCHAR(255),
    "company_id" INT NOT NULL REFERENCES "company" ("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "deal" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "pd_deal_id" INT  UNIQUE,
    "name" VARCHAR(255),
    "status" VARCHAR(255) NOT NULL  DEFAULT 'open',
    "admin_id" INT NOT NULL REFERENCES "admin" ("id") ON DELETE CASCADE,
    "company_id" INT NOT NULL REFERENCES "company" ("id") ON DELETE CASCADE,
    "contact_id" INT REFERENCES "contact" ("id") ON DELETE CASCADE,
    "pipeline_id" INT NOT NULL REFERENCES "pipeline" ("id") ON DELETE CASCADE,
    "stage_id" INT NOT NULL REFERENCES "stage" ("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "meeting" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "created" TIMESTAMPTZ NOT NULL  DEFAULT CURRENT_TIMESTAMP,
    "start_time" TIMESTAMPTZ,
    "end_time" TIMESTAMPTZ,
    "status" VARCHAR(255) NOT NULL  DEFAULT 'PLANNED',
    "meeting_type" VARCHAR(255) NOT NULL,
    "admin_id" INT NOT NULL REFERENCES "admin" ("id") ON DELETE CASCADE,
    "contact_id" INT NOT NULL REFERENCES "contact" ("id") ON DELETE CASCADE,
    "deal_id" INT REFERENCES "deal" ("id") ON DELETE SET NULL
);
CREATE TABLE IF NOT EXISTS "customfield" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(255) NOT NULL,
    "machine_name" VARCHAR(255),
    "field_type" VARCHAR(255) NOT NULL,
    "hermes_field_name" VARCHAR(255),
    "tc2_machine_name" VARCHAR(255),
    "pd_field_id" VARCHAR(255),
    "linked_object_type" VARCHAR(255) NOT NULL
);
CREATE TABLE IF NOT EXISTS "customfieldvalue" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "value" VARCHAR(10000),
    "company_id" INT REFERENCES "company" ("id") ON DELETE CASCADE,
    "contact_id" INT REFERENCES "contact" ("id") ON DELETE CASCADE,
    "custom_field_id" INT NOT NULL REFERENCES "customfield" ("id") ON DELETE CASCADE,
    "deal_id" INT REFERENCES "deal" ("id") ON DELETE CASCADE,
    "meeting_id" INT REFERENCES "meeting" ("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);
CREATE TABLE IF NOT EXISTS "hermesmodel" ("id" SERIAL NOT NULL PRIMARY KEY);

INSERT INTO "aerich" ("id", "version", "app", "content") VALUES
  (1, '0_20230919164613_init.py', 'models', '{}'),
  (8, '7_20240801120000_sells_regions.py', 'models', '{}');
INSERT INTO "admin" ("id", "username", "password", "tc2_admin_id", "pd_owner_id", "first_name", "last_name", "timezone",
                     "is_sales_person", "is_support_person", "is_bdr_person", "sells_payg", "sells_startup",
                     "sells_enterprise", "sells_us", "sells_gb", "sells_au", "sells_ca", "sells_eu", "sells_row") VALUES
  (8, 'daniel@tutorcruncher.com', '$2b$12$abcdefghijklmnopqrstuuN3I1QQe0sGUf2dcBRXdPXmvbX7Y9bS.', 101, 2001, 'Daniel', 'Sales', 'Europe/London', true, false, false, true, true, false, false, true, false, false, true, false),
  (9, 'tony@tutorcruncher.com', NULL, 102, 2002, 'Tony', 'Enterprise', 'America/New_York', true, false, false, false, false, true, true, false, true, true, false, true),
  (15, 'drew@tutorcruncher.com', NULL, 103, NULL, 'Drew', 'Support', 'Europe/London', false, true, true, false, false, false, false, false, false, false, false, false);
INSERT INTO "stage" ("id", "pd_stage_id", "name") VALUES (1, 11, 'New'), (4, 14, 'Demo booked');
INSERT INTO "pipeline" ("id", "pd_pipeline_id", "name", "dft_entry_stage_id") VALUES (2, 21, 'PAYG', 1), (3, 22, 'Enterprise', 4);
INSERT INTO "config" ("id", "meeting_dur_mins", "meeting_buffer_mins", "meeting_min_start", "meeting_max_end",
                      "payg_pipeline_id", "startup_pipeline_id", "enterprise_pipeline_id") VALUES (1, 30, 15, '09:30', '17:00', 2, 2, 3);
INSERT INTO "company" ("id", "name", "tc2_agency_id", "tc2_cligency_id", "tc2_status", "pd_org_id", "created", "price_plan",
                       "country", "website", "paid_invoice_count", "estimated_income", "currency", "has_booked_call",
                       "has_signed_up", "utm_campaign", "utm_source", "narc", "signup_questionnaire",
                       "sales_person_id", "support_person_id", "bdr_person_id") VALUES
  (5, 'Junes Ltd', 301, 401, 'trial', 501, '2024-03-01 10:15:30.123456+00', 'payg', 'GB', 'https://junes.com', 0, '£20,000 - £50,000', 'GBP', true, true, 'spring', 'google', false, '{"question1": "answer1"}', 8, 15, 15),
  (17, 'Acme Tutors', NULL, NULL, 'pending_email_conf', NULL, '2024-05-02 08:00:00+00', 'enterprise', 'US', NULL, 3, NULL, NULL, false, false, NULL, NULL, NULL, NULL, 9, NULL, NULL),
  (42, 'Brightminds', 302, 402, 'active', 502, '2024-06-30 23:59:59+00', 'startup', 'AU', 'https://brightminds.au', 12, '1000', 'AUD', true, true, NULL, NULL, true, NULL, 8, NULL, NULL);
INSERT INTO "contact" ("id", "tc2_sr_id", "pd_person_id", "created", "first_name", "last_name", "email", "phone", "country", "company_id") VALUES
  (7, 601, 701, '2024-03-01 10:16:00+00', 'Brain', 'Junes', 'brain@junes.com', '+44 7700 900123', 'GB', 5),
  (8, NULL, NULL, '2024-05-02 08:01:00+00', NULL, 'Roadrunner', 'road@acme.com', NULL, 'US', 17);
INSERT INTO "deal" ("id", "pd_deal_id", "name", "status", "admin_id", "company_id", "contact_id", "pipeline_id", "stage_id") VALUES
  (3, 801, 'Junes Ltd', 'open', 8, 5, 7, 2, 1),
  (6, 802, 'Acme Tutors', 'won', 9, 17, 8, 3, 4);
INSERT INTO "meeting" ("id", "created", "start_time", "end_time", "status", "meeting_type", "admin_id", "contact_id", "deal_id") VALUES
  (10, '2024-03-01 10:17:00+00', '2024-03-05 14:00:00+00', '2024-03-05 14:30:00+00', 'PLANNED', 'sales', 8, 7, 3),
  (12, '2024-05-03 09:00:00+00', '2024-05-06 16:00:00+00', '2024-05-06 16:30:00+00', 'COMPLETED', 'support', 15, 8, NULL);
INSERT INTO "customfield" ("id", "name", "machine_name", "field_type", "hermes_field_name", "tc2_machine_name", "pd_field_id", "linked_object_type") VALUES
  (1, 'Hermes ID', 'hermes_id', 'fk_field', 'id', 'hermes_id', 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', 'Company'),
  (2, 'Source', 'source', 'str', NULL, 'source', 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678', 'Company'),
  (3, 'Source', 'source', 'str', NULL, NULL, 'c1b2c3d4e5f60718293a4b5c6d7e8f9012345678', 'Deal');
INSERT INTO "customfieldvalue" ("id", "value", "custom_field_id", "company_id", "contact_id", "deal_id", "meeting_id") VALUES
  (20, 'google', 2, 5, NULL, NULL, NULL),
  (21, 'google', 3, NULL, NULL, 3, NULL);

-- aerich inserted with explicit ids nowhere, so the sequences are where the rows left them.
SELECT setval('admin_id_seq', 15), setval('stage_id_seq', 4), setval('pipeline_id_seq', 3), setval('config_id_seq', 1),
       setval('company_id_seq', 42), setval('contact_id_seq', 8), setval('deal_id_seq', 6), setval('meeting_id_seq', 12),
       setval('customfield_id_seq', 3), setval('customfieldvalue_id_seq', 21);
