CREATE TABLE "email_answers" (
	"tenant_id" uuid NOT NULL,
	"follow_up_id" uuid PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"contact_id" uuid,
	"employer_id" uuid NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone NOT NULL,
	"reply_id" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "email_answers" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "employer_promises" (
	"tenant_id" uuid NOT NULL,
	"id" uuid PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"interview_id" uuid,
	"employer_id" uuid NOT NULL,
	"contact_id" uuid,
	"owner_id" uuid NOT NULL,
	"promised_date" date NOT NULL,
	"given_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"reply_id" uuid,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"status" text DEFAULT 'open' NOT NULL,
	"decided_at" timestamp with time zone,
	"late_business_days" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promises_late_check" CHECK (late_business_days IS NULL OR late_business_days >= 0)
);
--> statement-breakpoint
ALTER TABLE "employer_promises" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "response_links" (
	"tenant_id" uuid NOT NULL,
	"id" uuid PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"application_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"follow_up_id" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoke_reason" text,
	"answers" integer DEFAULT 0 NOT NULL,
	"last_answered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "response_links" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "employer_replies" ADD COLUMN "contact_id" uuid;--> statement-breakpoint
ALTER TABLE "employer_replies" ADD CONSTRAINT "employer_replies_tenant_id_id_key" UNIQUE("tenant_id","id");--> statement-breakpoint
ALTER TABLE "email_answers" ADD CONSTRAINT "email_answers_follow_up_fk" FOREIGN KEY ("tenant_id","follow_up_id") REFERENCES "public"."follow_ups"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_answers" ADD CONSTRAINT "email_answers_reply_fk" FOREIGN KEY ("tenant_id","reply_id") REFERENCES "public"."employer_replies"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employer_promises" ADD CONSTRAINT "promises_application_fk" FOREIGN KEY ("tenant_id","application_id") REFERENCES "public"."applications"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employer_promises" ADD CONSTRAINT "promises_interview_fk" FOREIGN KEY ("tenant_id","interview_id") REFERENCES "public"."interviews"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employer_promises" ADD CONSTRAINT "promises_employer_fk" FOREIGN KEY ("tenant_id","employer_id") REFERENCES "public"."employers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employer_promises" ADD CONSTRAINT "promises_contact_fk" FOREIGN KEY ("tenant_id","contact_id") REFERENCES "public"."contacts"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employer_promises" ADD CONSTRAINT "promises_reply_fk" FOREIGN KEY ("tenant_id","reply_id") REFERENCES "public"."employer_replies"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_links" ADD CONSTRAINT "response_links_application_fk" FOREIGN KEY ("tenant_id","application_id") REFERENCES "public"."applications"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_links" ADD CONSTRAINT "response_links_contact_fk" FOREIGN KEY ("tenant_id","contact_id") REFERENCES "public"."contacts"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "email_answers_sent_idx" ON "email_answers" USING btree ("tenant_id","sent_at");--> statement-breakpoint
CREATE INDEX "promises_application_idx" ON "employer_promises" USING btree ("tenant_id","application_id","status");--> statement-breakpoint
CREATE INDEX "promises_given_idx" ON "employer_promises" USING btree ("tenant_id","given_at");--> statement-breakpoint
CREATE UNIQUE INDEX "response_links_token_key" ON "response_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "response_links_application_idx" ON "response_links" USING btree ("tenant_id","application_id");--> statement-breakpoint
ALTER TABLE "employer_replies" ADD CONSTRAINT "replies_contact_fk" FOREIGN KEY ("tenant_id","contact_id") REFERENCES "public"."contacts"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "email_answers" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "employer_promises" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "response_links" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER TABLE "response_links" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "employer_promises" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "email_answers" FORCE ROW LEVEL SECURITY;
