-- Other systems' ids for our records (docs/api.md#sync): one per record and source, unique per source.
CREATE TABLE "external_ids" (
	"tenant_id" uuid NOT NULL,
	"id" uuid PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"source" text NOT NULL,
	"external_id" text NOT NULL,
	"record_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "external_ids_tenant_id_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "external_ids_external_key" UNIQUE("tenant_id","type","source","external_id"),
	CONSTRAINT "external_ids_record_source_key" UNIQUE("tenant_id","type","record_id","source")
);
--> statement-breakpoint
ALTER TABLE "external_ids" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_tenant_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "external_ids_record_idx" ON "external_ids" USING btree ("tenant_id","record_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "external_ids" AS PERMISSIVE FOR ALL TO public USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER TABLE "external_ids" FORCE ROW LEVEL SECURITY;
