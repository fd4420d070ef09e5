ALTER TABLE "follow_ups" ADD COLUMN "undo_seconds" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD COLUMN "undo_to" jsonb;--> statement-breakpoint
ALTER TABLE "email_messages" ADD COLUMN "combined" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "email_messages_combined_idx" ON "email_messages" USING btree ("tenant_id","message_id") WHERE combined;