-- The event feed (GET /v1/events, docs/events.md) reads events in the order of the transactions
-- that wrote them and serves only those below the oldest transaction still running, so a reader
-- never passes over an event that commits later with a smaller position. Existing rows take this
-- migration's transaction id: they come first, in id order.
ALTER TABLE "events" ADD COLUMN "tx_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
CREATE INDEX "events_feed_idx" ON "events" USING btree ("tenant_id","tx_id","id");
