-- Events for one outside object are applied in the order they happened (see the PostgreSQL migration).
CREATE TABLE "pipedrive_waiting_webhook" (
    "org_pd_id" INT NOT NULL,
    "webhook_id" BIGINT NOT NULL,
    PRIMARY KEY ("org_pd_id", "webhook_id")
);

CREATE TABLE "tc2_client_event" (
    "cligency_id" INT NOT NULL PRIMARY KEY,
    "event_time" TEXT NOT NULL
);
