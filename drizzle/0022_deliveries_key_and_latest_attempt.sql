-- The outbox's busiest table writes less per delivery (docs/performance.md#webhooks):
-- 1. (tenant_id, id) becomes the primary key instead of a unique constraint beside an id key, so
--    each delivery, and each of its non-HOT updates, writes one index entry fewer. Every query
--    runs under the tenant policy, whose tenant_id condition leads the key.
-- 2. The latest try is kept on the delivery row; webhook_attempts receives a try only when the
--    next one is recorded. A delivery that succeeds at once (nearly all) writes no attempt row,
--    no attempt index entries and no foreign-key check. Existing attempt rows stay where they are.
ALTER TABLE "webhook_attempts" DROP CONSTRAINT "webhook_attempts_delivery_fk";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_tenant_id_id_key";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_pkey";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("tenant_id", "id");--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_fk" FOREIGN KEY ("tenant_id", "delivery_id") REFERENCES "webhook_deliveries" ("tenant_id", "id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "last_attempt" integer;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "last_attempted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "last_duration_ms" integer;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "last_response_excerpt" text;
