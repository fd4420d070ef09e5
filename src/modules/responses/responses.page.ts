import type { LinkProblem, LinkView } from './responses.links.js';

// The public answer page: plain HTML, no script, no external resources (no tracking), one form.

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:36rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;border:1px solid #d5d9e0}
h1{font-size:1.4rem;margin-top:0}
fieldset{border:1px solid #d5d9e0;border-radius:6px;margin:1rem 0;padding:.75rem 1rem}
legend{font-weight:600;padding:0 .25rem}
.choice{margin:.4rem 0}
label{cursor:pointer}
input[type=date],textarea{font:inherit;padding:.35rem;border:1px solid #6b7385;border-radius:4px}
textarea{width:100%;box-sizing:border-box;min-height:5rem}
button{font:inherit;background:#1f4fbf;color:#fff;border:0;border-radius:4px;padding:.55rem 1.1rem;cursor:pointer}
.error{color:#a3161a;font-weight:600}
.hint{color:#4a5161;font-size:.9rem}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export interface FormState {
  answer?: string;
  date?: string;
  note?: string;
  errors?: { field: string; message: string }[];
}

const checked = (state: FormState, value: string) => (state.answer === value ? ' checked' : '');

/** The question and the form; `state` refills it after a mistake, with the errors on top. */
export function answerPage(view: LinkView, action: string, state: FormState = {}): string {
  const errors = state.errors ?? [];
  const errorFor = (field: string) => errors.find((e) => e.field === field);
  const dateError = errorFor('date');
  const answerError = errorFor('answer');
  const noteError = errorFor('note');
  const summary = errors.length
    ? `<div role="alert"><p class="error">Please check your answer:</p><ul>${errors.map((e) => `<li class="error">${esc(e.message)}</li>`).join('')}</ul></div>`
    : '';
  return page(
    `Your answer about ${view.candidateFirstName}`,
    `<h1>Where do things stand with ${esc(view.candidateFirstName)}?</h1>
<p>${esc(view.agency)} is following up on ${esc(view.candidateFirstName)}’s interview for the <strong>${esc(view.position)}</strong> position. One click is enough; your answer goes to ${esc(view.agency)} only.</p>
${summary}
<form method="post" action="${esc(action)}">
<fieldset${answerError ? ' aria-describedby="answer-error"' : ''}>
<legend>Your answer</legend>
${answerError ? `<p id="answer-error" class="error">${esc(answerError.message)}</p>` : ''}
<div class="choice"><input type="radio" id="a-offer" name="answer" value="offer"${checked(state, 'offer')}> <label for="a-offer">We decided: we would like to make an offer</label></div>
<div class="choice"><input type="radio" id="a-no" name="answer" value="not_going_ahead"${checked(state, 'not_going_ahead')}> <label for="a-no">We decided: we are not going ahead</label></div>
<div class="choice"><input type="radio" id="a-by" name="answer" value="decide_by"${checked(state, 'decide_by')}> <label for="a-by">We will decide by the date below</label></div>
<div class="choice"><input type="radio" id="a-again" name="answer" value="ask_again"${checked(state, 'ask_again')}> <label for="a-again">Still deciding: ask me again on the date below</label></div>
</fieldset>
<p><label for="date">Date (for the last two answers)</label><br>
<input type="date" id="date" name="date" value="${esc(state.date ?? '')}"${dateError ? ' aria-invalid="true" aria-describedby="date-error"' : ''}>
${dateError ? `<br><span id="date-error" class="error">${esc(dateError.message)}</span>` : ''}</p>
<p><label for="note">A note (optional)</label><br>
<textarea id="note" name="note" maxlength="2000"${noteError ? ' aria-invalid="true" aria-describedby="note-error"' : ''}>${esc(state.note ?? '')}</textarea>
${noteError ? `<span id="note-error" class="error">${esc(noteError.message)}</span>` : ''}</p>
<p><button type="submit">Send my answer</button></p>
</form>
<p class="hint">This page sets no cookies and records nothing but your answer.</p>`,
  );
}

export function thanksPage(view: LinkView, action: string): string {
  return page(
    'Thank you',
    `<h1>Thank you</h1>
<p role="status">Your answer about ${esc(view.candidateFirstName)} (${esc(view.position)}) was sent to ${esc(view.agency)}.</p>
<p>If anything changes, you can <a href="${esc(action)}">answer again with the same link</a>.</p>`,
  );
}

const PROBLEM_TEXT: Record<LinkProblem | 'rate_limited' | 'forbidden' | 'unavailable', { title: string; text: string }> = {
  invalid: { title: 'This link is not valid', text: 'This link is not valid. Open the link from the email whole, or simply reply to the email.' },
  expired: { title: 'This link has expired', text: 'This link has expired. You can still reply to the email itself.' },
  revoked: { title: 'This link is no longer active', text: 'This link is no longer active: nothing more is needed from you here. Thank you.' },
  rate_limited: { title: 'Too many tries', text: 'Too many answers were sent from here in a short time. Please try again in a few minutes.' },
  forbidden: { title: 'The answer was not accepted', text: 'The answer must be sent from the page itself. Open the link from the email and send it again.' },
  unavailable: { title: 'Please try again in a moment', text: 'We are busy right now, and nothing was recorded. Please try again in a few seconds.' },
};

/** A plain page saying why the link cannot be used; no detail about whose link it was. */
export function problemPage(problem: keyof typeof PROBLEM_TEXT): string {
  const p = PROBLEM_TEXT[problem];
  return page(p.title, `<h1>${esc(p.title)}</h1>\n<p>${esc(p.text)}</p>`);
}
