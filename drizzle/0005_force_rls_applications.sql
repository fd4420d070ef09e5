ALTER TABLE "applications" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "application_stage_changes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "interviews" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "interview_participants" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "outcomes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "employer_replies" FORCE ROW LEVEL SECURITY;
