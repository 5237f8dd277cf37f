-- Events for one outside object are applied in the order they happened (behaviour.md §2, issue 12).
--
-- A Pipedrive person or deal names an organization that neither Hermes nor Pipedrive had when it was fetched (it was
-- deleted or merged away there meanwhile): the webhook waits here and is replayed when an event for that organization
-- arrives, so a person moved into an organization whose delete or merge comes later ends where it would have in order.
CREATE TABLE "pipedrive_waiting_webhook" (
    "org_pd_id" INT NOT NULL,
    "webhook_id" BIGINT NOT NULL,
    PRIMARY KEY ("org_pd_id", "webhook_id")
);

-- The time of the newest TC2 event applied per client (cligency), so an older version arriving later changes nothing.
-- Kept when the company is deleted, so a late edit does not bring back a client TC2 deleted.
CREATE TABLE "tc2_client_event" (
    "cligency_id" INT NOT NULL PRIMARY KEY,
    "event_time" TIMESTAMPTZ NOT NULL
);
