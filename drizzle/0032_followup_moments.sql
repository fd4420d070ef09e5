ALTER TABLE "follow_ups" ADD COLUMN "hold_reason" text;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD COLUMN "approved_by" uuid;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "decided_at" timestamp with time zone;--> statement-breakpoint
UPDATE "outcomes" SET "decided_at" = "created_at";--> statement-breakpoint
ALTER TABLE "outcomes" ALTER COLUMN "decided_at" SET NOT NULL;
