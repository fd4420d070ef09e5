ALTER TABLE "employer_replies" ADD COLUMN "replanned_at" timestamp with time zone;--> statement-breakpoint
-- Every reply recorded before this was re-planned in its own transaction: none is left for the sweep.
UPDATE "employer_replies" SET "replanned_at" = "created_at";--> statement-breakpoint
CREATE INDEX "replies_replan_due_idx" ON "employer_replies" USING btree ("tenant_id","created_at") WHERE replanned_at IS NULL;
