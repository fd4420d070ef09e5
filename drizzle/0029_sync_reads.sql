CREATE INDEX "candidates_updated_idx" ON "candidates" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "contacts_updated_idx" ON "contacts" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "employers_updated_idx" ON "employers" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "positions_updated_idx" ON "positions" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "applications_updated_idx" ON "applications" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "interviews_updated_idx" ON "interviews" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "follow_ups_updated_idx" ON "follow_ups" USING btree ("tenant_id","updated_at","id");