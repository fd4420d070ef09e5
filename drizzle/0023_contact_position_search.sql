-- Contact search by part of a name or email, and position search by part of a title, with an
-- index, as candidate search does (0016): under row-level security ILIKE is not leakproof, so no
-- index can serve it and a search read every contact or position of the agency. These functions
-- read the rows of the tenant in the transaction's context (app.tenant_id, as the policy does),
-- filter by the given conditions in the list's keyset order and return ids only; the caller reads
-- the rows under row-level security.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;--> statement-breakpoint
CREATE INDEX "contacts_name_trgm_idx" ON "contacts" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contacts_email_trgm_idx" ON "contacts" USING gin ("email" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "positions_title_trgm_idx" ON "positions" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
-- The statements, given which filters are present (what a plan check explains). Only the filters
-- given are in them, and they are planned with their values (EXECUTE ... USING): a trigram index
-- for a rare match, the list's own order (name, id; id descending) for a common one. ROWS 100: a
-- page asks for at most 101 ids, and with the default estimate (1000) the caller's read of the
-- contacts by name joined the ids to a scan of the whole agency instead of looking each one up.
CREATE OR REPLACE FUNCTION "app_private"."contact_search_sql"(p_pattern boolean, p_employer boolean, p_after boolean)
  RETURNS text
  LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public
  AS $$ SELECT 'SELECT c.id FROM public.contacts c WHERE c.tenant_id = $1'
    || CASE WHEN p_pattern THEN ' AND (c.name ILIKE $2 OR c.email ILIKE $2)' ELSE '' END
    || CASE WHEN p_employer THEN ' AND c.employer_id = $3' ELSE '' END
    || CASE WHEN p_after THEN ' AND (c.name, c.id) > ($4, $5)' ELSE '' END
    || ' ORDER BY c.name, c.id LIMIT $6' $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "app_private"."search_contacts"(p_pattern text, p_employer_id uuid, p_after_name text, p_after_id uuid, p_limit integer)
  RETURNS SETOF uuid ROWS 100
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
BEGIN
  IF tenant IS NULL THEN RETURN; END IF;
  RETURN QUERY EXECUTE app_private.contact_search_sql(p_pattern IS NOT NULL, p_employer_id IS NOT NULL, p_after_id IS NOT NULL)
    USING tenant, p_pattern, p_employer_id, p_after_name, p_after_id, least(greatest(p_limit, 0), 1000);
END $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION "app_private"."search_contacts"(text, uuid, text, uuid, integer) FROM PUBLIC;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "app_private"."position_search_sql"(p_pattern boolean, p_status boolean, p_employer boolean, p_before boolean)
  RETURNS text
  LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public
  AS $$ SELECT 'SELECT p.id FROM public.positions p WHERE p.tenant_id = $1'
    || CASE WHEN p_pattern THEN ' AND p.title ILIKE $2' ELSE '' END
    || CASE WHEN p_status THEN ' AND p.status = $3' ELSE '' END
    || CASE WHEN p_employer THEN ' AND p.employer_id = $4' ELSE '' END
    || CASE WHEN p_before THEN ' AND p.id < $5' ELSE '' END
    || ' ORDER BY p.id DESC LIMIT $6' $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "app_private"."search_positions"(p_pattern text, p_status text, p_employer_id uuid, p_before uuid, p_limit integer)
  RETURNS SETOF uuid ROWS 100
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
BEGIN
  IF tenant IS NULL THEN RETURN; END IF;
  RETURN QUERY EXECUTE app_private.position_search_sql(p_pattern IS NOT NULL, p_status IS NOT NULL, p_employer_id IS NOT NULL, p_before IS NOT NULL)
    USING tenant, p_pattern, p_status, p_employer_id, p_before, least(greatest(p_limit, 0), 1000);
END $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION "app_private"."search_positions"(text, text, uuid, uuid, integer) FROM PUBLIC;
