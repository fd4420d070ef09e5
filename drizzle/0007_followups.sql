CREATE TABLE "follow_ups" (
	"tenant_id" uuid NOT NULL,
	"id" uuid PRIMARY KEY NOT NULL,
	"interview_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"voice" text NOT NULL,
	"recipient" jsonb NOT NULL,
	"contact_id" uuid,
	"due_at" timestamp with time zone NOT NULL,
	"rule_due_at" timestamp with time zone NOT NULL,
	"planned_due_at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"subject" text,
	"body" text,
	"vars" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner_id" uuid NOT NULL,
	"notes" text,
	"cancel_reason" text,
	"cancelled_by" text,
	"sent_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follow_ups_tenant_id_id_key" UNIQUE("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "follow_ups" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "holidays" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "playbook" jsonb;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_interview_fk" FOREIGN KEY ("tenant_id","interview_id") REFERENCES "public"."interviews"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_application_fk" FOREIGN KEY ("tenant_id","application_id") REFERENCES "public"."applications"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_candidate_fk" FOREIGN KEY ("tenant_id","candidate_id") REFERENCES "public"."candidates"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_owner_fk" FOREIGN KEY ("tenant_id","owner_id") REFERENCES "public"."users"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "follow_ups_live_key" ON "follow_ups" USING btree ("tenant_id","interview_id","key") WHERE status <> 'cancelled';--> statement-breakpoint
CREATE INDEX "follow_ups_due_idx" ON "follow_ups" USING btree ("tenant_id","due_at","id");--> statement-breakpoint
CREATE INDEX "follow_ups_status_due_idx" ON "follow_ups" USING btree ("tenant_id","status","due_at","id");--> statement-breakpoint
CREATE INDEX "follow_ups_kind_due_idx" ON "follow_ups" USING btree ("tenant_id","kind","due_at","id");--> statement-breakpoint
CREATE INDEX "follow_ups_owner_due_idx" ON "follow_ups" USING btree ("tenant_id","owner_id","due_at","id");--> statement-breakpoint
CREATE INDEX "follow_ups_candidate_due_idx" ON "follow_ups" USING btree ("tenant_id","candidate_id","due_at","id");--> statement-breakpoint
CREATE INDEX "follow_ups_interview_due_idx" ON "follow_ups" USING btree ("tenant_id","interview_id","due_at","id");--> statement-breakpoint
CREATE INDEX "follow_ups_open_tenant_due_idx" ON "follow_ups" USING btree ("tenant_id","due_at","id") WHERE status IN ('pending', 'queued');--> statement-breakpoint
CREATE INDEX "follow_ups_open_due_idx" ON "follow_ups" USING btree ("due_at") WHERE status IN ('pending', 'queued');--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "follow_ups" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);