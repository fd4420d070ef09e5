ALTER TABLE "outcomes" ADD COLUMN "decided_at" timestamp with time zone;--> statement-breakpoint
UPDATE "outcomes" SET "decided_at" = "created_at";--> statement-breakpoint
ALTER TABLE "outcomes" ALTER COLUMN "decided_at" SET NOT NULL;
