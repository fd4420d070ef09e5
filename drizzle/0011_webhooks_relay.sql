-- Table owners bypass RLS unless it is forced (docs/tenancy.md).
ALTER TABLE "webhook_endpoints" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "webhook_attempts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "inbound_replies" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The outbox relay's and the delivery sweep's only cross-tenant reads (docs/webhooks.md): which
-- tenants have events to relay, and which deliveries wait for a job. Ids only; the work itself is
-- done inside each tenant's context.
CREATE OR REPLACE FUNCTION "app_private"."tenants_with_unpublished_events"(p_limit integer) RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT tenant_id FROM public.events WHERE published_at IS NULL
        GROUP BY tenant_id ORDER BY min(created_at) LIMIT p_limit $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "app_private"."due_webhook_deliveries"(p_now timestamptz, p_stale_before timestamptz, p_limit integer)
  RETURNS TABLE (tenant_id uuid, id uuid, attempts integer)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT d.tenant_id, d.id, d.attempts FROM public.webhook_deliveries d
        JOIN public.webhook_endpoints e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= p_now
          AND (d.queued_at IS NULL OR d.queued_at < p_stale_before)
          AND (d.claimed_until IS NULL OR d.claimed_until < p_now)
          AND e.status = 'active'
        ORDER BY d.next_attempt_at LIMIT p_limit $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION "app_private"."tenants_with_unpublished_events"(integer) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION "app_private"."due_webhook_deliveries"(timestamptz, timestamptz, integer) FROM PUBLIC;--> statement-breakpoint
-- Wakes the relay when events commit (NOTIFY is delivered at commit, once per transaction and
-- payload); the relay also polls, so a missed notification only delays.
CREATE OR REPLACE FUNCTION "app_private"."notify_events"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog
  AS $$ BEGIN PERFORM pg_notify('afterview_events', ''); RETURN NULL; END $$;--> statement-breakpoint
CREATE TRIGGER "events_notify" AFTER INSERT ON "events" FOR EACH STATEMENT EXECUTE FUNCTION "app_private"."notify_events"();
