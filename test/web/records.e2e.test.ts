import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixedClock } from '../../src/lib/clock.js';
import { bearer, json, newTenant, PASSWORD, userWithRole, type Schemas, type TestTenant } from '../helpers/app.js';
import { axeViolations, goTo, launch, overflowsSideways, screenshot, signedInContext, startWebStack, tokensFor, VIEWPORTS, type WebStack, captureFailure } from './harness.js';

/**
 * Issue 19, the records a recruiter keeps, in the browser at a laptop's size and a phone's:
 * editing a candidate (and adding one without assumed consent), the candidate's notes, and an
 * employer's district and days off; axe-core on every state. Now is Tue 8 Mar 2033 10:00 New
 * York; nothing is planned or sent here (no interviews, no worker).
 */
const NOW = '2033-03-08T15:00:00Z';
const clock = fixedClock(NOW);

let stack: WebStack;
let browser: Browser;
let tenant: TestTenant;
let recruiter: { id: string; email: string; token: string };
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startWebStack({ clock });
  tenant = await newTenant(stack.t.app);
  const r = await userWithRole(stack.t.app, tenant, 'recruiter');
  recruiter = { id: r.id, email: r.email, token: r.token };
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach((ctx) => captureFailure(ctx, 'records', contexts));

async function api<T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, token = tenant.token, headers: Record<string, string> = {}): Promise<T> {
  const res = await stack.t.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return json<T>(res);
}

/** A page signed in (as the owner unless said) at `size`, at NOW by the browser's clock. */
async function open(size: keyof typeof VIEWPORTS, path: string, email = tenant.ownerEmail): Promise<Page> {
  const tokens = await tokensFor(stack.t, tenant.slug, email, PASSWORD);
  const context = await signedInContext(browser, tokens.refreshToken, tenant.slug, VIEWPORTS[size]);
  await context.clock.setFixedTime(new Date(NOW));
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.url}${path}`);
  await page.getByTestId('role').waitFor({ state: 'attached' });
  return page;
}

async function accessible(page: Page, what: string) {
  expect(await axeViolations(page), what).toEqual([]);
  expect(await overflowsSideways(page), `${what}: nothing wider than the screen`).toBe(false);
}

describe.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s size', (size) => {
  it('a candidate is edited on their page: the form closes with a message, the page shows what the API kept, and a change made meanwhile is said plainly', async () => {
    const name = `Casey Brook ${size}`;
    const c = await api<Schemas['Candidate']>('POST', '/v1/candidates', { name, email: `casey-${size}@example.org`, relayConsent: true });
    const page = await open(size, `/candidates/${c.id}`);
    const said = page.getByTestId('announcement');
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('form', { name: `Edit ${name}` });
    await form.waitFor();
    expect(await form.getByLabel('Name').inputValue()).toBe(name);
    expect(await form.getByLabel('The candidate agrees that we send notes on their behalf').isChecked()).toBe(true);
    await accessible(page, 'editing a candidate');

    await form.getByLabel('Name').fill(`${name} Jr`);
    await form.getByLabel('Phone').fill('(845) 555-0142');
    await form.getByLabel('LinkedIn').fill('linkedin.com/in/casey-brook');
    await form.getByLabel('Time zone').selectOption('America/Chicago');
    await form.getByLabel('The candidate agrees that we send notes on their behalf').uncheck();
    await form.getByLabel('Send them updates on their applications').uncheck();
    await form.getByLabel('Tags').fill('math, grade 5,  math');
    await form.getByRole('button', { name: 'Save' }).click();
    await said.filter({ hasText: `${name} Jr saved.` }).waitFor();
    expect(await form.count()).toBe(0);
    await page.getByRole('heading', { level: 1, name: `${name} Jr` }).waitFor();
    // The page shows the normalised values, as the API keeps them.
    const details = page.getByTestId('candidate-details');
    await details.getByText('+18455550142').waitFor();
    expect(await details.innerText()).toContain('America/Chicago');
    expect(await details.innerText()).toContain('Tags: math, grade 5');
    expect(await details.innerText()).toContain('No relay consent');
    expect(await details.innerText()).toContain('Opted out of status updates');
    expect(await details.getByRole('link', { name: `${name} Jr on LinkedIn` }).getAttribute('href')).toBe('https://www.linkedin.com/in/casey-brook');
    const kept = await api<Schemas['Candidate']>('GET', `/v1/candidates/${c.id}`);
    expect(kept).toMatchObject({ name: `${name} Jr`, phone: '+18455550142', linkedinUrl: 'https://www.linkedin.com/in/casey-brook', timeZone: 'America/Chicago', relayConsent: false, statusUpdatesOptIn: false, tags: ['math', 'grade 5'], email: `casey-${size}@example.org` });
    // The activity says what changed, in words.
    await page.getByTestId('activity').getByText(`You changed ${name} Jr’s name, phone, LinkedIn, time zone, relay consent, status updates choice, tags`).waitFor();
    await accessible(page, 'a candidate saved, with its message');

    // Someone else changes the candidate while the form is open: the save is refused, plainly.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await form.getByLabel('Name').waitFor();
    const form2 = page.getByRole('form', { name: `Edit ${name} Jr` });
    await api('PATCH', `/v1/candidates/${c.id}`, { email: `casey.b-${size}@example.org` }, tenant.token, { 'if-match': `"${kept.version}"` });
    await form2.getByLabel('Name').fill('Casey B');
    await form2.getByRole('button', { name: 'Save' }).click();
    await form2.getByRole('alert').filter({ hasText: 'Someone changed this in the meantime: reload to see their change, then try again.' }).waitFor();
    expect(await form2.innerText()).not.toMatch(/412|precondition|If-Match/i);
    expect((await api<Schemas['Candidate']>('GET', `/v1/candidates/${c.id}`)).name).toBe(`${name} Jr`);
    await accessible(page, 'a candidate form refused with 412');
    await screenshot(page, `candidate-edit-${size}`);
  });

  it('adding a candidate: the consent box starts unticked, and what is typed is normalised', async () => {
    const page = await open(size, '/candidates');
    await page.getByRole('button', { name: 'Add a candidate' }).click();
    const form = page.getByRole('form', { name: 'New candidate' });
    const consent = form.getByLabel('The candidate agrees that we send notes on their behalf');
    expect(await consent.isChecked()).toBe(false);
    expect(await form.getByLabel('Send them updates on their applications').isChecked()).toBe(true);
    await accessible(page, 'adding a candidate');
    const name = `Robin Vale ${size}`;
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Phone').fill('(845) 555-0199');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByTestId('announcement').filter({ hasText: `${name} added.` }).waitFor();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    expect(await api<Schemas['Candidate']>('GET', `/v1/candidates/${id}`)).toMatchObject({ name, phone: '+18455550199', relayConsent: false, relayConsentAt: null, statusUpdatesOptIn: true });
  });

  it('notes: newest first with their author and an edited mark; a recruiter adds one, edits and deletes their own (after a confirmation), not someone else’s', async () => {
    const c = await api<Schemas['Candidate']>('POST', '/v1/candidates', { name: `Noor Said ${size}`, relayConsent: false });
    clock.set('2033-03-07T14:00:00Z');
    await api('POST', `/v1/candidates/${c.id}/notes`, { body: 'Prefers schools north of the river.' });
    clock.set(NOW);
    const page = await open(size, `/candidates/${c.id}`, recruiter.email);
    const said = page.getByTestId('announcement');
    const notes = page.getByTestId('note');
    await notes.first().waitFor();
    expect(await notes.first().innerText()).toContain('Olive Owner');
    expect(await notes.first().innerText()).toContain('Prefers schools north of the river.');
    // Someone else's note: no Edit, no Delete for a recruiter.
    expect(await notes.first().getByRole('button').count()).toBe(0);
    await accessible(page, 'a candidate’s notes');

    await page.getByRole('button', { name: 'Add a note…' }).click();
    const box = page.getByRole('textbox', { name: 'New note' });
    await box.waitFor();
    expect(await page.evaluate('document.activeElement.tagName')).toBe('TEXTAREA');
    await box.fill('Called her: available from April.\nWants a reference from the district.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await said.filter({ hasText: 'Note added.' }).waitFor();
    expect(await box.count()).toBe(0);
    await expect.poll(() => notes.count()).toBe(2);
    // Newest first: the new note on top, by "You", not edited.
    const top = notes.first();
    expect(await top.innerText()).toContain('Called her: available from April.');
    expect(await top.innerText()).toMatch(/^You · Tue 8 Mar, 10:00/);
    expect(await top.innerText()).not.toContain('edited');
    expect(await notes.nth(1).innerText()).toContain('Prefers schools north of the river.');
    const stored = async () => (await api<{ data: Schemas['CandidateNote'][] }>('GET', `/v1/candidates/${c.id}/notes`)).data;
    expect((await stored()).map((n) => [n.body, n.authorId])).toEqual([
      ['Called her: available from April.\nWants a reference from the district.', recruiter.id],
      ['Prefers schools north of the river.', tenant.ownerId],
    ]);

    await top.getByRole('button', { name: 'Edit the note of Tue 8 Mar, 10:00' }).click();
    const edit = page.getByRole('form', { name: 'Edit the note' });
    await edit.getByLabel('Note').fill('Called her: available from 1 April.');
    await accessible(page, 'editing a note');
    await edit.getByRole('button', { name: 'Save note' }).click();
    await said.filter({ hasText: 'Note saved.' }).waitFor();
    expect(await edit.count()).toBe(0);
    await notes.first().getByText('Called her: available from 1 April.').waitFor();
    expect(await notes.first().innerText()).toContain('· edited');
    expect(await notes.nth(1).innerText()).not.toContain('edited');
    expect((await stored())[0]).toMatchObject({ body: 'Called her: available from 1 April.', edited: true });

    // Deleting asks first; Cancel keeps the note.
    const del = notes.first().getByRole('button', { name: 'Delete the note of Tue 8 Mar, 10:00' });
    await del.click();
    const ask = page.getByRole('alertdialog', { name: 'Delete this note?' });
    await ask.waitFor();
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await accessible(page, 'deleting a note, asked first');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(await stored()).toHaveLength(2);
    await del.click();
    await ask.getByRole('button', { name: 'Delete', exact: true }).click();
    await said.filter({ hasText: 'Note deleted.' }).waitFor();
    await expect.poll(() => notes.count()).toBe(1);
    await page.getByTestId('activity').getByText('You deleted a note').waitFor();
    expect((await stored()).map((n) => n.body)).toEqual(['Prefers schools north of the river.']);
    await screenshot(page, `notes-${size}`);

    // The owner (an admin) may change anyone's note.
    const owner = await open(size, `/candidates/${c.id}`);
    await owner.getByTestId('note').first().waitFor();
    expect(await owner.getByTestId('note').first().getByRole('button', { name: /^Edit the note of / }).count()).toBe(1);
  });

  it('a school is put under its district when added, and an employer’s days off are entered, refused plainly when the dates are backwards', async () => {
    const district = await api<Schemas['Employer']>('POST', '/v1/employers', { name: `Hudson District ${size}`, kind: 'district', timeZone: 'America/Chicago' });
    const page = await open(size, '/employers');
    const said = page.getByTestId('announcement');
    await page.getByRole('button', { name: 'Add an employer' }).click();
    const form = page.getByRole('form', { name: 'New employer' });
    const school = `Maple Elementary ${size}`;
    await form.getByLabel('Name').fill(school);
    await form.getByLabel('Kind').selectOption('school');
    await form.getByLabel('District').selectOption({ label: district.name });
    // A school takes its district's zone unless told otherwise.
    expect(await form.getByLabel('Time zone').inputValue()).toBe('America/Chicago');
    await accessible(page, 'adding an employer under a district');
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await said.filter({ hasText: `${school} added.` }).waitFor();
    await page.getByRole('heading', { level: 1, name: school }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    expect(await api<Schemas['Employer']>('GET', `/v1/employers/${id}`)).toMatchObject({ parentId: district.id, kind: 'school', timeZone: 'America/Chicago' });
    const details = page.getByTestId('employer-details');
    expect(await details.getByRole('link', { name: district.name }).getAttribute('href')).toBe(`/employers/${district.id}`);

    // Days off, entered on the edit form; backwards dates are refused at their field.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('form', { name: `Edit ${school}` });
    expect(await edit.getByLabel('District').inputValue()).toBe(district.id);
    await edit.getByRole('button', { name: 'Add days off' }).click();
    const first = edit.getByRole('group', { name: 'Days off 1' });
    await first.getByLabel('Name').fill('Winter break');
    await first.getByLabel('From').fill('2033-12-22');
    await first.getByLabel('To').fill('2033-12-20');
    await edit.getByRole('button', { name: 'Add days off' }).click();
    const second = edit.getByRole('group', { name: 'Days off 2' });
    await second.getByLabel('Name').fill('Presidents’ Day');
    await second.getByLabel('From').fill('2033-02-21');
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    const error = edit.locator('.field-error[data-field="holidays.0.end"]');
    await error.waitFor();
    expect(await error.textContent()).toBe('Must not be before start');
    expect(await first.getByLabel('To').getAttribute('aria-invalid')).toBe('true');
    expect((await api<Schemas['Employer']>('GET', `/v1/employers/${id}`)).holidays).toEqual([]);
    await accessible(page, 'days off refused at their field');
    await first.getByLabel('To').fill('2034-01-02');
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await said.filter({ hasText: `${school} saved.` }).waitFor();
    expect(await edit.count()).toBe(0);
    const days = page.getByTestId('days-off');
    // Listed in date order, each with its days (once the page has re-read the employer).
    await days.getByRole('listitem').nth(1).waitFor();
    expect(await days.getByRole('listitem').allInnerTexts()).toEqual(['Presidents’ Day Mon, 21 Feb 2033', 'Winter break Thu, 22 Dec 2033 – Mon, 2 Jan 2034']);
    expect((await api<Schemas['Employer']>('GET', `/v1/employers/${id}`)).holidays).toEqual([
      { name: 'Winter break', start: '2033-12-22', end: '2034-01-02' },
      { name: 'Presidents’ Day', start: '2033-02-21', end: '2033-02-21' },
    ]);
    await accessible(page, 'an employer with days off');
    await screenshot(page, `employer-days-off-${size}`);

    // The district's page names its school; Remove drops a day off.
    await details.getByRole('link', { name: district.name }).click();
    await page.getByRole('heading', { level: 1, name: district.name }).waitFor();
    await page.getByTestId('schools').getByRole('link', { name: school }).click();
    await page.getByRole('heading', { level: 1, name: school }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await edit.getByRole('button', { name: 'Remove Presidents’ Day' }).click();
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await said.filter({ hasText: `${school} saved.` }).waitFor();
    await expect.poll(async () => (await api<Schemas['Employer']>('GET', `/v1/employers/${id}`)).holidays.map((h) => h.name)).toEqual(['Winter break']);
    // A district is not put under another.
    await goTo(page, 'Employers');
    await page.getByRole('button', { name: 'Add an employer' }).click();
    await page.getByRole('form', { name: 'New employer' }).getByLabel('Kind').selectOption('district');
    expect(await page.getByRole('form', { name: 'New employer' }).getByLabel('District').count()).toBe(0);
  });

  it('an admin enters the agency’s days off in Settings › Agency, backwards dates refused at their field', async () => {
    const before = await api<Schemas['AgencySettings']>('GET', '/v1/agency');
    await api('PATCH', '/v1/agency', { holidays: [] }, tenant.token, { 'if-match': `"${before.version}"` });
    const page = await open(size, '/settings');
    const said = page.getByTestId('announcement');
    await page.getByRole('tab', { name: 'Agency' }).click();
    const form = page.getByRole('form', { name: 'Agency settings' });
    await form.waitFor();
    expect(await form.getByLabel('Agency name').inputValue()).toBe(before.name);
    await form.getByRole('button', { name: 'Add days off' }).click();
    const first = form.getByRole('group', { name: 'Days off 1' });
    await first.getByLabel('Name', { exact: true }).fill(`Staff retreat ${size}`);
    await first.getByLabel('From', { exact: true }).fill('2033-07-06');
    await first.getByLabel('To', { exact: true }).fill('2033-07-04');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    const error = form.locator('.field-error[data-field="holidays.0.end"]');
    await error.waitFor();
    expect(await error.textContent()).toBe('Must not be before start');
    expect((await api<Schemas['AgencySettings']>('GET', '/v1/agency')).holidays).toEqual([]);
    await accessible(page, 'agency days off refused at their field');
    await first.getByLabel('To', { exact: true }).fill('2033-07-08');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await said.filter({ hasText: 'Agency settings saved.' }).waitFor();
    await expect
      .poll(async () => (await api<Schemas['AgencySettings']>('GET', '/v1/agency')).holidays)
      .toEqual([{ name: `Staff retreat ${size}`, start: '2033-07-06', end: '2033-07-08' }]);
    // The form shows what the API kept, ready for the next change.
    await expect.poll(() => form.getByRole('group', { name: 'Days off 1' }).getByLabel('To', { exact: true }).inputValue()).toBe('2033-07-08');
    await accessible(page, 'agency settings saved');
  });
});
