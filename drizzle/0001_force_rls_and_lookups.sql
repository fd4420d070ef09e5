-- Table owners bypass RLS unless it is forced: force it on every tenant table, so a job or a
-- script that connects as the owner still sees only the tenant it set (docs/tenancy.md).
ALTER TABLE "tenants" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "users" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "refresh_tokens" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS "app_private";--> statement-breakpoint
REVOKE ALL ON SCHEMA "app_private" FROM PUBLIC;--> statement-breakpoint
-- The only reads that cross tenants, each returning ids and nothing else. They run as their
-- owner (the migration role, which must be a superuser or have BYPASSRLS).
CREATE OR REPLACE FUNCTION "app_private"."tenant_id_by_slug"(p_slug text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT id FROM public.tenants WHERE slug = p_slug $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "app_private"."tenant_ids"() RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT id FROM public.tenants ORDER BY id $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION "app_private"."tenant_id_by_slug"(text) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION "app_private"."tenant_ids"() FROM PUBLIC;
