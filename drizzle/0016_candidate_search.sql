-- Candidate search by part of a name or email, and by tag, with an index. Under row-level security
-- PostgreSQL evaluates a query's own conditions after the policy unless they are leakproof, and
-- ILIKE and @> are not, so no index can serve them. This function reads the candidates of the
-- tenant in the transaction's context (app.tenant_id, as the policy does), filters by the indexed
-- conditions and returns ids only; the caller reads the rows under row-level security.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;--> statement-breakpoint
CREATE INDEX "candidates_name_trgm_idx" ON "candidates" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "candidates_email_trgm_idx" ON "candidates" USING gin ("email" gin_trgm_ops);--> statement-breakpoint
-- The statement, given which filters are present (also what bench/plans.ts explains). Only the
-- filters given are in it, and it is planned with their values (EXECUTE ... USING): a trigram or
-- tag index for a rare match, the primary key order for a common one.
CREATE OR REPLACE FUNCTION "app_private"."candidate_search_sql"(p_pattern boolean, p_tag boolean, p_include_erased boolean, p_before boolean)
  RETURNS text
  LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public
  AS $$ SELECT 'SELECT c.id FROM public.candidates c WHERE c.tenant_id = $1'
    || CASE WHEN p_pattern THEN ' AND (c.name ILIKE $2 OR c.email ILIKE $2)' ELSE '' END
    || CASE WHEN p_tag THEN ' AND c.tags @> ARRAY[$3]' ELSE '' END
    || CASE WHEN p_include_erased THEN '' ELSE ' AND c.erased_at IS NULL' END
    || CASE WHEN p_before THEN ' AND c.id < $4' ELSE '' END
    || ' ORDER BY c.id DESC LIMIT $5' $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "app_private"."search_candidates"(p_pattern text, p_tag text, p_include_erased boolean, p_before uuid, p_limit integer)
  RETURNS SETOF uuid
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$
DECLARE
  tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
BEGIN
  IF tenant IS NULL THEN RETURN; END IF;
  RETURN QUERY EXECUTE app_private.candidate_search_sql(p_pattern IS NOT NULL, p_tag IS NOT NULL, p_include_erased, p_before IS NOT NULL)
    USING tenant, p_pattern, p_tag, p_before, least(greatest(p_limit, 0), 1000);
END $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION "app_private"."search_candidates"(text, text, boolean, uuid, integer) FROM PUBLIC;
