-- Accounts and sessions (docs/auth.md): a session per sign-in (the refresh-token family, the
-- access token's sid), a per-user session generation (the access token's gen), invitations and
-- password resets. Ending a session or raising a generation notifies every API process, which
-- then refuses the access tokens concerned (LISTEN afterview_revocations).
CREATE TABLE "invitations" (
	"tenant_id" uuid NOT NULL,
	"id" uuid PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"invited_by" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_sent_at" timestamp with time zone,
	"send_count" integer DEFAULT 0 NOT NULL,
	"send_error" text,
	"accepted_at" timestamp with time zone,
	"accepted_user_id" uuid,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invitations_tenant_id_id_key" UNIQUE("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "invitations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "password_resets" (
	"tenant_id" uuid NOT NULL,
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "password_resets" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sessions" (
	"tenant_id" uuid NOT NULL,
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"user_agent" text,
	"ip_address" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"ended_reason" text,
	CONSTRAINT "sessions_tenant_id_id_key" UNIQUE("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "sessions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "session_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "sessions_revoked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_tenant_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_fk" FOREIGN KEY ("tenant_id","invited_by") REFERENCES "public"."users"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_user_fk" FOREIGN KEY ("tenant_id","user_id") REFERENCES "public"."users"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_fk" FOREIGN KEY ("tenant_id","user_id") REFERENCES "public"."users"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_token_key" ON "invitations" USING btree ("tenant_id","token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_open_email_key" ON "invitations" USING btree ("tenant_id","email") WHERE accepted_at IS NULL AND revoked_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "password_resets_token_key" ON "password_resets" USING btree ("tenant_id","token_hash");--> statement-breakpoint
CREATE INDEX "password_resets_user_idx" ON "password_resets" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "password_resets_expires_idx" ON "password_resets" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("tenant_id","user_id","id");--> statement-breakpoint
CREATE INDEX "sessions_ended_idx" ON "sessions" USING btree ("ended_at") WHERE ended_at IS NOT NULL;--> statement-breakpoint
-- Every refresh-token family so far becomes a session, ended when none of its tokens can be used.
INSERT INTO "sessions" ("tenant_id", "id", "user_id", "created_at", "last_used_at", "expires_at", "ended_at", "ended_reason")
SELECT tenant_id, family_id, (array_agg(user_id))[1], min(created_at), max(created_at), max(expires_at),
       CASE WHEN bool_and(revoked_at IS NOT NULL OR used_at IS NOT NULL) THEN max(coalesce(revoked_at, used_at)) END,
       CASE WHEN bool_and(revoked_at IS NOT NULL OR used_at IS NOT NULL) THEN 'signed_out' END
FROM "refresh_tokens" GROUP BY tenant_id, family_id;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_session_fk" FOREIGN KEY ("tenant_id","family_id") REFERENCES "public"."sessions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "users_sessions_revoked_idx" ON "users" USING btree ("sessions_revoked_at") WHERE sessions_revoked_at IS NOT NULL;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "invitations" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "password_resets" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "sessions" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER TABLE "sessions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invitations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "password_resets" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- Read past RLS like tenant_ids (ids only): what an API process that just started, or lost its
-- LISTEN connection, must learn. Ended sessions, and users whose every session was ended (with
-- the generation their tokens must now carry), since a time.
CREATE OR REPLACE FUNCTION "app_private"."revocations_since"(p_since timestamptz)
  RETURNS TABLE (kind text, id uuid, generation integer)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT 'session', s.id, 0 FROM public.sessions s WHERE s.ended_at >= p_since
        UNION ALL
        SELECT 'user', u.id, u.session_generation FROM public.users u WHERE u.sessions_revoked_at >= p_since $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION "app_private"."revocations_since"(timestamptz) FROM PUBLIC;--> statement-breakpoint
-- Sent at commit, so a revocation reaches the other processes exactly when it is true. Runs as
-- the writer, under its tenant context.
CREATE OR REPLACE FUNCTION "app_private"."notify_session_ended"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
  AS $$ BEGIN
    PERFORM pg_notify('afterview_revocations', 'session:' || NEW.id::text);
    RETURN NULL;
  END $$;--> statement-breakpoint
CREATE TRIGGER "sessions_notify_ended" AFTER UPDATE OF "ended_at" ON "sessions"
  FOR EACH ROW WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL) EXECUTE FUNCTION "app_private"."notify_session_ended"();--> statement-breakpoint
CREATE OR REPLACE FUNCTION "app_private"."notify_generation_raised"() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
  AS $$ BEGIN
    PERFORM pg_notify('afterview_revocations', 'user:' || NEW.id::text || ':' || NEW.session_generation::text);
    RETURN NULL;
  END $$;--> statement-breakpoint
CREATE TRIGGER "users_notify_generation" AFTER UPDATE OF "session_generation" ON "users"
  FOR EACH ROW WHEN (NEW.session_generation > OLD.session_generation) EXECUTE FUNCTION "app_private"."notify_generation_raised"();
