/**
 * Placeholder: webhook endpoints with their delivery log and redelivery come with the webhooks
 * API (`/v1/webhook-endpoints`, another branch). When it is in openapi/schema.d.ts, build the
 * list, the create form (secret shown once), the delivery log and redelivery here.
 */
export function WebhookEndpointsSettings() {
  return (
    <p className="empty" data-testid="webhooks-placeholder">
      Webhook endpoints are coming: you will add them here and see each delivery.
    </p>
  );
}
