-- An endpoint's deliveries are listed by event id (time-ordered, newest first) through the unique
-- (tenant_id, endpoint_id, event_id) index, so this one is no longer needed: every delivery, the
-- busiest insert of the outbox, paid for its entry, and again on each non-HOT update.
DROP INDEX "webhook_deliveries_endpoint_idx";
