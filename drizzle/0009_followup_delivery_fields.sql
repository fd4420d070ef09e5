ALTER TABLE "follow_ups" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD COLUMN "message_id" text;