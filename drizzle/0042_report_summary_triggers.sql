-- The reports' summaries (docs/reports.md#speed), kept by triggers on their facts: in the transaction
-- that writes a fact, whatever code path writes it (the API, a job, an import, a hand-run UPDATE).
-- The triggers run as the writer, under its tenant context and row-level security. Each summary
-- has a *_from_facts() function that computes its rows from the facts alone: the backfill below,
-- the tests (test/reports.summary.test.ts) and a check in operations use it.
ALTER TABLE "follow_up_day_counts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "position_open_counts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint

-- follow_up_day_counts: per UTC day of due_at, owner and kind, the follow-ups that are not cancelled.
CREATE OR REPLACE FUNCTION "app_private"."follow_up_day_counts_from_facts"()
  RETURNS TABLE (tenant_id uuid, day date, owner_id uuid, kind text, due integer, sent integer, sent_on_time integer,
                 unsent integer, awaiting_approval integer, answered integer)
  LANGUAGE sql STABLE SET search_path = pg_catalog, public
  AS $$ SELECT f.tenant_id, (f.due_at AT TIME ZONE 'UTC')::date, f.owner_id, f.kind,
               count(*)::int,
               (count(*) FILTER (WHERE f.status = 'sent'))::int,
               (count(*) FILTER (WHERE f.status = 'sent' AND f.sent_at <= f.due_at + interval '5 minutes'))::int,
               (count(*) FILTER (WHERE f.status IN ('pending', 'queued')))::int,
               (count(*) FILTER (WHERE f.status = 'awaiting_approval'))::int,
               (count(*) FILTER (WHERE f.status = 'sent' AND EXISTS (SELECT 1 FROM public.email_answers ea WHERE ea.follow_up_id = f.id)))::int
        FROM public.follow_ups f WHERE f.status <> 'cancelled'
        GROUP BY 1, 2, 3, 4 $$;--> statement-breakpoint

-- Inserts, a statement at a time (a plan's steps, a bulk load): new follow-ups have no answer yet.
CREATE OR REPLACE FUNCTION "app_private"."follow_up_day_counts_inserted"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
  AS $$ BEGIN
    INSERT INTO public.follow_up_day_counts AS c (tenant_id, day, owner_id, kind, due, sent, sent_on_time, unsent, awaiting_approval, answered)
    SELECT n.tenant_id, (n.due_at AT TIME ZONE 'UTC')::date, n.owner_id, n.kind, count(*)::int,
           (count(*) FILTER (WHERE n.status = 'sent'))::int,
           (count(*) FILTER (WHERE n.status = 'sent' AND n.sent_at <= n.due_at + interval '5 minutes'))::int,
           (count(*) FILTER (WHERE n.status IN ('pending', 'queued')))::int,
           (count(*) FILTER (WHERE n.status = 'awaiting_approval'))::int, 0
    FROM new_follow_ups n WHERE n.status <> 'cancelled'
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, day, owner_id, kind) DO UPDATE SET
      due = c.due + excluded.due, sent = c.sent + excluded.sent, sent_on_time = c.sent_on_time + excluded.sent_on_time,
      unsent = c.unsent + excluded.unsent, awaiting_approval = c.awaiting_approval + excluded.awaiting_approval;
    RETURN NULL;
  END $$;--> statement-breakpoint

-- Updates and deletes, a row at a time, in one statement: the row's old share off, its new share
-- on (one summary row when the day, owner and kind stay). A delete is counted BEFORE the row
-- goes: its answer (email_answers, deleted with it by the foreign key's cascade) is still there.
CREATE OR REPLACE FUNCTION "app_private"."follow_up_day_counts_changed"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
  AS $$
  DECLARE
    o public.follow_ups := OLD;
    n public.follow_ups;
    answered boolean := false;
  BEGIN
    IF TG_OP = 'UPDATE' THEN n := NEW; END IF;
    IF o.status = 'sent' OR n.status = 'sent' THEN
      answered := EXISTS (SELECT 1 FROM public.email_answers ea WHERE ea.follow_up_id = o.id);
    END IF;
    INSERT INTO public.follow_up_day_counts AS c (tenant_id, day, owner_id, kind, due, sent, sent_on_time, unsent, awaiting_approval, answered)
    SELECT v.tenant_id, v.day, v.owner_id, v.kind, sum(v.due), sum(v.sent), sum(v.on_time), sum(v.unsent), sum(v.awaiting), sum(v.answered)
    FROM (
      SELECT r.tenant_id, (r.due_at AT TIME ZONE 'UTC')::date AS day, r.owner_id, r.kind, r.sign AS due,
             r.sign * (r.status = 'sent')::int AS sent,
             r.sign * coalesce(r.status = 'sent' AND r.sent_at <= r.due_at + interval '5 minutes', false)::int AS on_time,
             r.sign * (r.status IN ('pending', 'queued'))::int AS unsent,
             r.sign * (r.status = 'awaiting_approval')::int AS awaiting,
             r.sign * (r.status = 'sent' AND answered)::int AS answered
      FROM (SELECT o.tenant_id, o.due_at, o.owner_id, o.kind, o.status, o.sent_at, -1 AS sign
            UNION ALL SELECT n.tenant_id, n.due_at, n.owner_id, n.kind, n.status, n.sent_at, 1) r
      WHERE r.status IS NOT NULL AND r.status <> 'cancelled'
    ) v
    GROUP BY 1, 2, 3, 4
    HAVING sum(v.due) <> 0 OR sum(v.sent) <> 0 OR sum(v.on_time) <> 0 OR sum(v.unsent) <> 0 OR sum(v.awaiting) <> 0 OR sum(v.answered) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, day, owner_id, kind) DO UPDATE SET
      due = c.due + excluded.due, sent = c.sent + excluded.sent, sent_on_time = c.sent_on_time + excluded.sent_on_time,
      unsent = c.unsent + excluded.unsent, awaiting_approval = c.awaiting_approval + excluded.awaiting_approval,
      answered = c.answered + excluded.answered;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NULL;
  END $$;--> statement-breakpoint

CREATE TRIGGER "follow_ups_day_counts_insert" AFTER INSERT ON "follow_ups" REFERENCING NEW TABLE AS new_follow_ups
  FOR EACH STATEMENT EXECUTE FUNCTION "app_private"."follow_up_day_counts_inserted"();--> statement-breakpoint
CREATE TRIGGER "follow_ups_day_counts_update" AFTER UPDATE OF status, due_at, sent_at, owner_id, kind ON "follow_ups"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.due_at IS DISTINCT FROM NEW.due_at OR OLD.sent_at IS DISTINCT FROM NEW.sent_at
                     OR OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.kind IS DISTINCT FROM NEW.kind)
  EXECUTE FUNCTION "app_private"."follow_up_day_counts_changed"();--> statement-breakpoint
CREATE TRIGGER "follow_ups_day_counts_delete" BEFORE DELETE ON "follow_ups"
  FOR EACH ROW EXECUTE FUNCTION "app_private"."follow_up_day_counts_changed"();--> statement-breakpoint

-- An answer (email_answers) counts on its follow-up's day while that follow-up is sent.
CREATE OR REPLACE FUNCTION "app_private"."follow_up_day_counts_answers_inserted"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
  AS $$ BEGIN
    INSERT INTO public.follow_up_day_counts AS c (tenant_id, day, owner_id, kind, answered)
    SELECT f.tenant_id, (f.due_at AT TIME ZONE 'UTC')::date, f.owner_id, f.kind, count(*)::int
    FROM new_answers n JOIN public.follow_ups f ON f.id = n.follow_up_id
    WHERE f.status = 'sent'
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, day, owner_id, kind) DO UPDATE SET answered = c.answered + excluded.answered;
    RETURN NULL;
  END $$;--> statement-breakpoint

-- A deleted answer whose follow-up is gone too (the cascade of a deleted follow-up) was taken off with it.
CREATE OR REPLACE FUNCTION "app_private"."follow_up_day_counts_answers_changed"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
  AS $$ BEGIN
    UPDATE public.follow_up_day_counts c SET answered = c.answered + v.delta
    FROM (SELECT f.tenant_id, (f.due_at AT TIME ZONE 'UTC')::date AS day, f.owner_id, f.kind, sum(x.delta)::int AS delta
          FROM (SELECT OLD.follow_up_id AS id, -1 AS delta UNION ALL SELECT NEW.follow_up_id, 1 WHERE TG_OP = 'UPDATE') x
          JOIN public.follow_ups f ON f.id = x.id AND f.status = 'sent'
          GROUP BY 1, 2, 3, 4) v
    WHERE c.tenant_id = v.tenant_id AND c.day = v.day AND c.owner_id = v.owner_id AND c.kind = v.kind;
    RETURN NULL;
  END $$;--> statement-breakpoint

CREATE TRIGGER "email_answers_day_counts_insert" AFTER INSERT ON "email_answers" REFERENCING NEW TABLE AS new_answers
  FOR EACH STATEMENT EXECUTE FUNCTION "app_private"."follow_up_day_counts_answers_inserted"();--> statement-breakpoint
CREATE TRIGGER "email_answers_day_counts_change" AFTER UPDATE OF follow_up_id OR DELETE ON "email_answers"
  FOR EACH ROW EXECUTE FUNCTION "app_private"."follow_up_day_counts_answers_changed"();--> statement-breakpoint

-- position_open_counts: the applications in an open stage, per position, owner and stage.
CREATE OR REPLACE FUNCTION "app_private"."position_open_counts_from_facts"()
  RETURNS TABLE (tenant_id uuid, position_id uuid, owner_id uuid, stage text, n integer)
  LANGUAGE sql STABLE SET search_path = pg_catalog, public
  AS $$ SELECT a.tenant_id, a.position_id, a.owner_id, a.stage, count(*)::int
        FROM public.applications a WHERE a.stage NOT IN ('hired', 'rejected', 'withdrawn')
        GROUP BY 1, 2, 3, 4 $$;--> statement-breakpoint

CREATE OR REPLACE FUNCTION "app_private"."position_open_counts_inserted"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
  AS $$ BEGIN
    INSERT INTO public.position_open_counts AS c (tenant_id, position_id, owner_id, stage, n)
    SELECT n.tenant_id, n.position_id, n.owner_id, n.stage, count(*)::int
    FROM new_applications n WHERE n.stage NOT IN ('hired', 'rejected', 'withdrawn')
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, position_id, owner_id, stage) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
  END $$;--> statement-breakpoint

CREATE OR REPLACE FUNCTION "app_private"."position_open_counts_changed"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
  AS $$
  DECLARE
    o public.applications := OLD;
    n public.applications;
  BEGIN
    IF TG_OP = 'UPDATE' THEN n := NEW; END IF;
    INSERT INTO public.position_open_counts AS c (tenant_id, position_id, owner_id, stage, n)
    SELECT r.tenant_id, r.position_id, r.owner_id, r.stage, sum(r.sign)::int
    FROM (SELECT o.tenant_id, o.position_id, o.owner_id, o.stage, -1 AS sign
          UNION ALL SELECT n.tenant_id, n.position_id, n.owner_id, n.stage, 1) r
    WHERE r.stage NOT IN ('hired', 'rejected', 'withdrawn')
    GROUP BY 1, 2, 3, 4 HAVING sum(r.sign) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, position_id, owner_id, stage) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
  END $$;--> statement-breakpoint

CREATE TRIGGER "applications_open_counts_insert" AFTER INSERT ON "applications" REFERENCING NEW TABLE AS new_applications
  FOR EACH STATEMENT EXECUTE FUNCTION "app_private"."position_open_counts_inserted"();--> statement-breakpoint
CREATE TRIGGER "applications_open_counts_update" AFTER UPDATE OF stage, position_id, owner_id ON "applications"
  FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage OR OLD.position_id IS DISTINCT FROM NEW.position_id OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
  EXECUTE FUNCTION "app_private"."position_open_counts_changed"();--> statement-breakpoint
CREATE TRIGGER "applications_open_counts_delete" AFTER DELETE ON "applications"
  FOR EACH ROW EXECUTE FUNCTION "app_private"."position_open_counts_changed"();--> statement-breakpoint

-- What is already there.
INSERT INTO "follow_up_day_counts" SELECT * FROM "app_private"."follow_up_day_counts_from_facts"();--> statement-breakpoint
INSERT INTO "position_open_counts" SELECT * FROM "app_private"."position_open_counts_from_facts"();
