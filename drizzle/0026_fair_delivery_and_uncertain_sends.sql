-- Issue 15, findings 2 and 5 (docs/webhooks.md#fairness-and-the-circuit-breaker, docs/followups.md#delivery).
-- 1. A follow-up's claim lasts a lease: one still `queued` after it (its worker died mid-send)
--    becomes `uncertain` instead of staying queued unseen. Rows queued before this migration get
--    the default lease from their claim (their updated_at).
ALTER TABLE "follow_ups" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
UPDATE "follow_ups" SET "claimed_until" = "updated_at" + interval '5 minutes' WHERE "status" = 'queued';--> statement-breakpoint
-- 2. Each webhook endpoint's circuit breaker: consecutive failed tries, and while open (retry_at
--    set) when it opened, how many times in a row, and when a probe may go.
ALTER TABLE "webhook_endpoints" ADD COLUMN "circuit_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "circuit_opened_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "circuit_retry_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "circuit_opens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- 3. The sweep leaves endpoints whose circuit is open alone (a half-open one is probed by the first
--    job that finds it so), and names each try's endpoint: jobs of tries are per endpoint.
DROP FUNCTION "app_private"."due_webhook_deliveries"(timestamptz, timestamptz, integer);--> statement-breakpoint
CREATE FUNCTION "app_private"."due_webhook_deliveries"(p_now timestamptz, p_stale_before timestamptz, p_limit integer)
  RETURNS TABLE (tenant_id uuid, id uuid, attempts integer, endpoint_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT d.tenant_id, d.id, d.attempts, d.endpoint_id FROM public.webhook_deliveries d
        JOIN public.webhook_endpoints e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= p_now
          AND (d.queued_at IS NULL OR d.queued_at < p_stale_before)
          AND (d.claimed_until IS NULL OR d.claimed_until < p_now)
          AND e.status = 'active' AND (e.circuit_retry_at IS NULL OR e.circuit_retry_at <= p_now)
        ORDER BY d.next_attempt_at LIMIT p_limit $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION "app_private"."due_webhook_deliveries"(timestamptz, timestamptz, integer) FROM PUBLIC;
