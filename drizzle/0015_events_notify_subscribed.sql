-- NOTIFY takes a database-wide lock at commit, so notifying on every event serialized the commits
-- of all writes. Notify only when an inserted event belongs to an agency with an active endpoint;
-- the relay's polling marks the other agencies' events published in bulk (docs/webhooks.md).
-- Runs as the writer, under its tenant context and row-level security.
CREATE OR REPLACE FUNCTION "app_private"."notify_events"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
  AS $$ BEGIN
    IF EXISTS (SELECT 1 FROM new_events n JOIN public.webhook_endpoints e ON e.tenant_id = n.tenant_id AND e.status = 'active') THEN
      PERFORM pg_notify('afterview_events', '');
    END IF;
    RETURN NULL;
  END $$;--> statement-breakpoint
DROP TRIGGER IF EXISTS "events_notify" ON "events";--> statement-breakpoint
CREATE TRIGGER "events_notify" AFTER INSERT ON "events" REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION "app_private"."notify_events"();
