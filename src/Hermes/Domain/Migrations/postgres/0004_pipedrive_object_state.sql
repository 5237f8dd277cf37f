-- What Hermes knows about each Pipedrive object beyond the id columns: the newest Pipedrive update it has applied
-- (so a late, older webhook cannot undo a newer one) and whether Pipedrive deleted it (so it is never silently
-- recreated: behaviour.md §2 and §6). Keyed by Pipedrive entity and id.
CREATE TABLE "pipedrive_object" (
    "entity" VARCHAR(20) NOT NULL,
    "pd_id" INT NOT NULL,
    "updated_at" TIMESTAMPTZ,
    "deleted_at" TIMESTAMPTZ,
    "deleted_reason" VARCHAR(50),
    "merged_into_pd_id" INT,
    "tc2_cligency_id" INT,
    "company_name" VARCHAR(255),
    "ref_person_id" INT,
    "ref_stage_id" INT,
    "ref_pipeline_id" INT,
    PRIMARY KEY ("entity", "pd_id")
);
CREATE INDEX "pipedrive_object_cligency_idx" ON "pipedrive_object" ("tc2_cligency_id") WHERE "deleted_at" IS NOT NULL;
