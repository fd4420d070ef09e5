-- The outbox and delivery tables churn: every row is inserted, updated two or three times and
-- soon never read again. With the default thresholds (10% of the table changed for ANALYZE, 20%
-- for VACUUM) a young or fast-growing table is planned from statistics that say it is nearly
-- empty (the webhook claim then walked an endpoint's every delivery instead of 100 primary keys:
-- 66 ms a batch), and the partial "pending" indexes fill with dead entries. Keep both fresh.
ALTER TABLE "events" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);--> statement-breakpoint
ALTER TABLE "webhook_deliveries" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);--> statement-breakpoint
ALTER TABLE "webhook_attempts" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);--> statement-breakpoint
ALTER TABLE "follow_ups" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);
