/**
 * Recognises automatic answers (out of office, vacation, auto-acknowledgements) so they do not
 * count as the employer's reply. Headers first (RFC 3834 `Auto-Submitted`, the common X- headers),
 * then the subject and the opening of the text.
 */
export interface InboundHeaders {
  [name: string]: string | undefined;
}

const SUBJECT = [
  /^\s*(auto(matic)?[\s-]*(reply|response|antwort)|autoreply|auto:)/i,
  /\bout of (the )?office\b/i,
  /\b(on (annual )?leave|on vacation|away from (my|the) (desk|office))\b/i,
  /\b(abwesenheit|absence|r[ée]ponse automatique|respuesta autom[áa]tica)\b/i,
];
const TEXT = [
  /\bI ?(am|'m) (currently )?(out of (the )?office|away|on (annual )?leave|on vacation|travell?ing)\b/i,
  /\b(will|shall) (be )?(back|return(ing)?) (in the office )?on\b/i,
  /\bwith (limited|no) access to (my )?e-?mail\b/i,
  /\bthis is an automat(ed|ic) (reply|response|message)\b/i,
];

export function isAutomaticReply(subject: string, text: string, headers: InboundHeaders = {}): boolean {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), (v ?? '').toLowerCase()]));
  if (h['auto-submitted'] && h['auto-submitted'] !== 'no') return true;
  if (h['x-autoreply'] || h['x-autorespond'] || h['x-auto-response-suppress']?.includes('oof')) return true;
  if (['auto_reply', 'auto-reply', 'bulk', 'junk'].includes(h['precedence'] ?? '')) return true;
  if (SUBJECT.some((r) => r.test(subject))) return true;
  const opening = text.slice(0, 600);
  return TEXT.some((r) => r.test(opening));
}

/** The ids of our follow-ups quoted in `In-Reply-To` / `References` (`<fu-<uuid>@afterview>`), newest last. */
export function quotedFollowUpIds(...headers: (string | null | undefined)[]): string[] {
  const ids: string[] = [];
  for (const h of headers) {
    for (const m of (h ?? '').matchAll(/<fu-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@afterview>/gi)) {
      const id = m[1]!.toLowerCase();
      if (!ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

/** The reply's own words: quoted history (`>` lines, "On … wrote:") cut, trimmed to 2,000 characters. */
export function replySummary(text: string): string {
  const lines: string[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (/^\s*>/.test(line)) break;
    if (/^On .+wrote:\s*$/.test(line.trim()) || /^-{2,}\s*Original Message\s*-{2,}/i.test(line.trim())) break;
    lines.push(line);
  }
  const own = lines.join('\n').trim() || text.trim();
  return (own || '(empty reply)').slice(0, 2000);
}
