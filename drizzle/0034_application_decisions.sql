CREATE TABLE "application_decisions" (
	"tenant_id" uuid NOT NULL,
	"application_id" uuid PRIMARY KEY NOT NULL,
	"position_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"interview_ended_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "application_decisions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "application_decisions" ADD CONSTRAINT "application_decisions_application_fk" FOREIGN KEY ("tenant_id","application_id") REFERENCES "public"."applications"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_decisions_decided_idx" ON "application_decisions" USING btree ("tenant_id","decided_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "application_decisions" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER TABLE "application_decisions" FORCE ROW LEVEL SECURITY;
