-- Each try is in the attempt log once. A record whose claim lapsed could move the delivery's
-- previous try to the log and then find the delivery claimed by another worker (its update
-- skipped), and that worker's record moved the same try again. The index is now unique and the
-- record statement skips a try already logged; copies logged before are dropped first.
DELETE FROM "webhook_attempts" a USING "webhook_attempts" b
WHERE a.tenant_id = b.tenant_id AND a.delivery_id = b.delivery_id AND a.attempt = b.attempt AND a.id > b.id;--> statement-breakpoint
DROP INDEX "webhook_attempts_delivery_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_attempts_delivery_attempt_key" ON "webhook_attempts" USING btree ("tenant_id","delivery_id","attempt");
