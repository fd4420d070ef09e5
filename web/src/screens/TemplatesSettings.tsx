/**
 * Placeholder: follow-up templates with a live preview come with the templates API (another
 * branch). When `/v1/…templates` is in openapi/schema.d.ts, build the editor here; Settings
 * already shows this tab.
 */
export function TemplatesSettings() {
  return (
    <p className="empty" data-testid="templates-placeholder">
      Editable templates with a live preview are coming. Until then every follow-up uses the standard wording, and you can edit any single
      one from Today before it goes.
    </p>
  );
}
