CREATE TABLE "follow_up_day_counts" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"owner_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"due" integer DEFAULT 0 NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"sent_on_time" integer DEFAULT 0 NOT NULL,
	"unsent" integer DEFAULT 0 NOT NULL,
	"awaiting_approval" integer DEFAULT 0 NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "follow_up_day_counts_pkey" PRIMARY KEY("tenant_id","day","owner_id","kind")
);
--> statement-breakpoint
ALTER TABLE "follow_up_day_counts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "position_open_counts" (
	"tenant_id" uuid NOT NULL,
	"position_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "position_open_counts_pkey" PRIMARY KEY("tenant_id","position_id","owner_id","stage")
);
--> statement-breakpoint
ALTER TABLE "position_open_counts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP INDEX "application_decisions_decided_idx";--> statement-breakpoint
DROP INDEX "email_answers_sent_idx";--> statement-breakpoint
DROP INDEX "promises_given_idx";--> statement-breakpoint
CREATE INDEX "applications_closed_moved_idx" ON "applications" USING btree ("tenant_id","stage_changed_at","position_id","owner_id","stage","created_at") WHERE stage IN ('hired', 'rejected', 'withdrawn');--> statement-breakpoint
CREATE INDEX "applications_open_created_idx" ON "applications" USING btree ("tenant_id","created_at","position_id","owner_id","stage") WHERE stage NOT IN ('hired', 'rejected', 'withdrawn');--> statement-breakpoint
CREATE INDEX "application_decisions_decided_idx" ON "application_decisions" USING btree ("tenant_id","decided_at","position_id","owner_id","interview_ended_at");--> statement-breakpoint
CREATE INDEX "email_answers_sent_idx" ON "email_answers" USING btree ("tenant_id","sent_at","employer_id","contact_id","answered_at","application_id");--> statement-breakpoint
CREATE INDEX "promises_given_idx" ON "employer_promises" USING btree ("tenant_id","given_at","employer_id","contact_id","owner_id","status","late_business_days");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "follow_up_day_counts" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "position_open_counts" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);