-- behaviour.md §2: a deal's stage and pipeline may be blank (unknown to Hermes, or deleted in Pipedrive), and
-- deleting a stage, pipeline or contact never deletes a deal, a pipeline or the config.
ALTER TABLE "deal" ALTER COLUMN "pipeline_id" DROP NOT NULL;
ALTER TABLE "deal" ALTER COLUMN "stage_id" DROP NOT NULL;

DO $$
DECLARE r record;
BEGIN
    -- hermes_v2's foreign keys were named by Tortoise; find them by what they link rather than by name.
    FOR r IN
        SELECT tc.table_name, kcu.column_name, tc.constraint_name, ccu.table_name AS ref_table
        FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
        JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()
          AND (tc.table_name, kcu.column_name) IN (('deal','pipeline_id'), ('deal','stage_id'), ('deal','contact_id'),
               ('pipeline','dft_entry_stage_id'), ('config','payg_pipeline_id'), ('config','startup_pipeline_id'),
               ('config','enterprise_pipeline_id'))
    LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.table_name, r.constraint_name);
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (%I) REFERENCES %I ("id") ON DELETE SET NULL',
                       r.table_name, r.table_name || '_' || r.column_name || '_fkey', r.column_name, r.ref_table);
    END LOOP;
END $$;
