-- Two indexes were exact copies of the (tenant_id, id) unique constraint beside them: every event
-- (one per change the API records) and every endpoint paid for a second identical entry, and the
-- relay's update of each event for a third. test/db-schema.test.ts keeps copies out.
DROP INDEX "events_tenant_idx";--> statement-breakpoint
DROP INDEX "webhook_endpoints_tenant_idx";