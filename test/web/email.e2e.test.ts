import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixedClock } from '../../src/lib/clock.js';
import { bearer, json, newTenant, PASSWORD, type Schemas, type TestTenant } from '../helpers/app.js';
import { authSink, smtpSink } from '../helpers/smtpSink.js';
import { recruitingStory, scheduledInterview } from '../helpers/story.js';
import { axeViolations, captureFailure, launch, overflowsSideways, pastUndo, screenshot, signedInContext, startWebStack, tokensFor, VIEWPORTS, type WebStack } from './harness.js';

/**
 * Issue 17 in the browser, at a laptop's size and a phone's: Settings › Email (refused values at
 * their fields, the password never shown back, a test email with the server's answer, a follow-up
 * that failed through a wrong password listed with that answer, removal after a confirmation),
 * each participant's answer to the calendar invite on the interview page, and Today's warning for
 * a declined one. The agency's SMTP server is a real one that requires AUTH. Now is Wed 1 March
 * 2028 10:00 New York; no other test file plans in March 2028, and the worker runs without its
 * schedules.
 */
const NOW = '2028-03-01T15:00:00Z';
const clock = fixedClock(NOW);
const USER = 'mailer';
const PASS = 'right-pa55-7f3e';
const WRONG = 'wrong-pa55-0b9a';
const agencySmtp = authSink(USER, PASS);
const platform = smtpSink();
let agencyPort: number;
let stack: WebStack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  agencyPort = await agencySmtp.listen();
  const port = await platform.listen();
  stack = await startWebStack({ clock, worker: true, env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@platform.example' } });
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await Promise.all([agencySmtp.close(), platform.close()]);
});

afterEach((ctx) => captureFailure(ctx, 'email', contexts));

/** An ICS answer to an invite, as a calendar app writes it (RFC 5546 METHOD:REPLY). */
const reply = (interviewId: string, email: string, partstat: string, organizer: string) =>
  [
    'BEGIN:VCALENDAR',
    'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
    'VERSION:2.0',
    'METHOD:REPLY',
    'BEGIN:VEVENT',
    'DTSTAMP:20280301T150000Z',
    `ORGANIZER:mailto:${organizer}`,
    `UID:interview-${interviewId}@afterview`,
    `ATTENDEE;PARTSTAT=${partstat};CN=Someone:mailto:${email}`,
    'SEQUENCE:1',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

/** An agency whose owner works in New York: one interview done this morning, two to come with answers to their invites. */
async function agency() {
  const { app } = stack.t;
  clock.set(NOW);
  const tenant = await newTenant(app);
  const h = bearer(tenant.token);
  expect((await app.inject({ method: 'PATCH', url: `/v1/users/${tenant.ownerId}`, headers: h, payload: { timeZone: 'America/New_York' } })).statusCode).toBe(200);
  const story = await recruitingStory(app, tenant);
  const done = await scheduledInterview(app, tenant, story, '2028-03-01T08:00:00-05:00');
  expect((await app.inject({ method: 'POST', url: `/v1/interviews/${done.id}/complete`, headers: h, payload: {} })).statusCode).toBe(200);
  const thanks = json<{ data: Schemas['FollowUp'][] }>(await app.inject({ url: `/v1/follow-ups?interviewId=${done.id}&kind=thank_you`, headers: h })).data[0]!;
  const declined = await scheduledInterview(app, tenant, story, '2028-03-08T10:00:00-05:00');
  const tentative = await scheduledInterview(app, tenant, story, '2028-03-09T10:00:00-05:00');
  const secret = json<{ secret: string }>(await app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: h })).secret;
  const answer = async (interviewId: string, email: unknown, partstat: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/inbound/email',
      headers: { authorization: `Bearer ${secret}` },
      payload: { from: String(email), subject: `${partstat}: Interview`, text: partstat, calendar: reply(interviewId, String(email), partstat, tenant.ownerEmail) },
    });
    expect(res.statusCode, res.body).toBe(202);
  };
  await answer(declined.id, story.principal.email, 'DECLINED');
  await answer(declined.id, story.teacher.email, 'ACCEPTED');
  await answer(tentative.id, story.teacher.email, 'TENTATIVE');
  return { tenant, h, story, thanks, declined, tentative };
}

async function open(tenant: TestTenant, size: keyof typeof VIEWPORTS, path = '/'): Promise<Page> {
  const tokens = await tokensFor(stack.t, tenant.slug, tenant.ownerEmail, PASSWORD);
  const context = await signedInContext(browser, tokens.refreshToken, tenant.slug, VIEWPORTS[size]);
  await context.clock.setFixedTime(new Date(NOW));
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.url}${path}`);
  await page.getByTestId('role').waitFor({ state: 'attached' });
  return page;
}

const accessible = async (page: Page, what: string) => expect(await axeViolations(page), what).toEqual([]);

describe.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s size', (size) => {
  let a: Awaited<ReturnType<typeof agency>>;
  let page: Page;
  const domain = `agency-${size}.example`;
  const form = () => page.getByRole('form', { name: 'Agency email' });
  const emailTab = async () => {
    await page.getByRole('tab', { name: 'Email' }).click();
    await page.getByTestId('email-mode').waitFor();
  };

  beforeAll(async () => {
    a = await agency();
    page = await open(a.tenant, size, '/settings');
  }, 60_000);

  it('Settings › Email shows the platform sender, and refused values at the fields the API names', async () => {
    await emailTab();
    expect(await page.getByTestId('email-mode').textContent()).toMatch(/^No sender of the agency's own/);
    const f = form();
    await f.getByLabel('SMTP host').fill('127.0.0.1');
    await f.getByLabel('Port').fill(String(agencyPort));
    await f.getByLabel('Security').selectOption('none');
    await f.getByLabel('User name').fill(USER);
    await f.getByLabel('Password').fill(WRONG);
    await f.getByLabel('Sending domain').fill(domain);
    await f.getByLabel('From address').fill('someone@gmail.com');
    await f.getByLabel('From name').fill('Harbor Recruiting');
    await f.getByLabel('Each recruiter, when their address is on the domain').check();
    await f.getByLabel('Sign every message with DKIM').check();
    await f.getByLabel('Selector').fill('av2028');
    await f.getByLabel('Private key (PEM)').fill('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----');
    await f.getByRole('button', { name: 'Save email settings' }).click();
    await f.locator('[data-field="fromAddress"]').waitFor();
    expect(await f.locator('[data-field="fromAddress"]').textContent()).toBe(`Not on the domain ${domain}`);
    expect(await f.locator('[data-field="dkim.privateKey"]').textContent()).toBe('Not a PEM private key');
    expect(await f.getByLabel('From address').getAttribute('aria-invalid')).toBe('true');
    expect(json<Schemas['AgencyEmail']>(await stack.t.app.inject({ url: '/v1/agency/email', headers: a.h })).configured).toBe(false);
    expect(await overflowsSideways(page)).toBe(false);
    await accessible(page, 'Settings › Email with errors');
    await screenshot(page, `email-errors-${size}`);
  });

  it('saves; the password is never shown back ("leave empty to keep")', async () => {
    const f = form();
    await f.getByLabel('From address').fill(`recruiting@${domain}`);
    await f.getByLabel('Sign every message with DKIM').uncheck();
    await f.getByRole('button', { name: 'Save email settings' }).click();
    await f.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.getByTestId('email-mode').filter({ hasText: 'Email goes out through' }).waitFor();
    expect(await page.getByTestId('email-mode').textContent()).toBe(
      `Email goes out through 127.0.0.1:${agencyPort} from Harbor Recruiting <recruiting@${domain}>, recruiters on the domain sending as themselves.`,
    );
    expect(await form().getByLabel('Password').inputValue()).toBe('');
    expect(await form().getByText('A password is saved: leave empty to keep it. It is never shown.').count()).toBe(1);
    expect(await page.content()).not.toContain(WRONG);
    expect(json<Schemas['AgencyEmail']>(await stack.t.app.inject({ url: '/v1/agency/email', headers: a.h }))).toMatchObject({ configured: true, hasPassword: true, sendAs: 'recruiter', dkim: null });
    await accessible(page, 'Settings › Email saved');
  });

  it('a test email through a wrong password shows the server’s refusal', async () => {
    const test = page.getByRole('form', { name: 'Send a test email' });
    await test.getByRole('button', { name: 'Send a test email' }).click();
    const result = test.getByTestId('test-result');
    await result.getByText(/Not delivered/).waitFor();
    expect(await result.textContent()).toMatch(new RegExp(`^Not delivered, from recruiting@${domain.replace('.', '\\.')}\\. The server answered: .*535`));
    expect(agencySmtp.got.filter((g) => g.to.includes(a.tenant.ownerEmail.toLowerCase()))).toEqual([]);
    await accessible(page, 'a failed test email');
  });

  it('a follow-up that failed through it is listed under Delivery failures with the server’s answer', async () => {
    const res = await stack.t.app.inject({ method: 'POST', url: `/v1/follow-ups/${a.thanks.id}/send-now`, headers: { ...a.h, 'if-match': `"${a.thanks.version}"` }, payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    await pastUndo(stack, clock, a.h, a.thanks.id);
    await vi.waitFor(async () => expect(json<Schemas['FollowUp']>(await stack.t.app.inject({ url: `/v1/follow-ups/${a.thanks.id}`, headers: a.h })).status).toBe('failed'), {
      timeout: 15_000,
      interval: 100,
    });
    await page.getByRole('tab', { name: 'You' }).click();
    await emailTab();
    const failure = page.getByTestId('delivery-failure');
    await failure.first().waitFor();
    // The thank-you sent now, and the candidate's update that fell due with it once the undo window
    // passed (both through the agency's server, which refuses the password): each with its answer.
    await expect.poll(() => failure.count()).toBe(2);
    const rows = (await failure.allTextContents()).sort();
    expect(rows).toEqual([expect.stringMatching(/^Thank-you note to (Pat Principal|Terry Teacher) · Jordan Lee.*535/), expect.stringMatching(/^Update the candidate to Jordan Lee · Jordan Lee.*535/)]);
    await accessible(page, 'Delivery failures');
  });

  it('with the right password (typed anew), the test email is delivered and the server’s answer shown', async () => {
    await form().getByLabel('Password').fill(PASS);
    await form().getByRole('button', { name: 'Save email settings' }).click();
    await form().getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const arrived = agencySmtp.for(a.tenant.ownerEmail);
    const test = page.getByRole('form', { name: 'Send a test email' });
    await test.getByRole('button', { name: 'Send a test email' }).click();
    await test.getByTestId('test-result').getByText(/^Delivered/).waitFor();
    expect(await test.getByTestId('test-result').textContent()).toMatch(/^Delivered, from recruiting@agency-\w+\.example\. The server answered: 250/);
    expect((await arrived).user).toBe(USER);
    expect(await page.content()).not.toContain(PASS);
  });

  it('a failed thank-you goes again with Send again…, now through the agency’s server', async () => {
    await page.goto(`${stack.url}/settings`);
    await emailTab();
    await page.getByTestId('delivery-failure').filter({ hasText: /^Thank-you note/ }).getByRole('link').click();
    const card = page.locator(`[data-testid="followup"][data-id="${a.thanks.id}"]`);
    await card.getByRole('button', { name: 'Send again…' }).click();
    await card.getByText('mend what the server refused first').waitFor();
    await card.getByLabel('Why (optional)').fill('password mended');
    const to = String(a.thanks.recipient.email);
    const arrived = agencySmtp.for(to);
    await card.getByRole('button', { name: 'Resend now' }).click();
    await vi.waitFor(async () => expect(json<Schemas['FollowUp']>(await stack.t.app.inject({ url: `/v1/follow-ups/${a.thanks.id}`, headers: a.h })).status).toBe('pending'));
    await pastUndo(stack, clock, a.h, a.thanks.id);
    expect((await arrived).user).toBe(USER);
    await vi.waitFor(async () => expect(json<Schemas['FollowUp']>(await stack.t.app.inject({ url: `/v1/follow-ups/${a.thanks.id}`, headers: a.h })).status).toBe('sent'), { timeout: 15_000, interval: 100 });
    expect(agencySmtp.got.filter((g) => g.to.includes(to.toLowerCase()))).toHaveLength(1);
    await page.goto(`${stack.url}/settings`);
    await emailTab();
  });

  it('Remove… asks first, then goes back to the platform’s sender', async () => {
    await page.getByRole('button', { name: "Remove the agency's email settings" }).click();
    const dialog = page.getByRole('alertdialog', { name: "Remove the agency's email settings?" });
    await dialog.waitFor();
    await accessible(page, 'the remove confirmation');
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByTestId('email-mode').filter({ hasText: "No sender of the agency's own" }).waitFor();
    expect(json<Schemas['AgencyEmail']>(await stack.t.app.inject({ url: '/v1/agency/email', headers: a.h })).configured).toBe(false);
    expect(await form().getByLabel('SMTP host').inputValue()).toBe('');
  });

  it('the interview page shows each participant’s answer to the invite', async () => {
    await page.goto(`${stack.url}/interviews/${a.declined.id}`);
    const people = page.getByTestId('participant');
    await people.first().waitFor();
    const answers = async () => Object.fromEntries(await people.evaluateAll((els) => els.map((e) => [e.querySelector('strong')!.textContent, e.querySelector('[data-testid="response"] .badge')!.textContent])));
    expect(await answers()).toEqual({ 'Pat Principal': 'Declined', 'Terry Teacher': 'Accepted' });
    await accessible(page, 'an interview with answers');
    await screenshot(page, `interview-answers-${size}`);
    await page.goto(`${stack.url}/interviews/${a.tentative.id}`);
    await page.getByTestId('participant').first().waitFor();
    expect(await answers()).toEqual({ 'Pat Principal': 'No answer yet', 'Terry Teacher': 'Tentative' });
  });

  it('Today warns of the interview a participant declined, linking to it', async () => {
    await page.goto(stack.url);
    const declines = page.getByTestId('declines');
    await declines.getByTestId('decline').first().waitFor();
    expect(await declines.getByTestId('decline').count()).toBe(1);
    const line = declines.getByTestId('decline');
    expect(await line.locator('strong').textContent()).toBe('Pat Principal (Hiring manager) declined');
    await line.getByText('Jordan Lee’s interview').waitFor();
    expect(await line.getByRole('link').getAttribute('href')).toBe(`/interviews/${a.declined.id}`);
    expect(await overflowsSideways(page)).toBe(false);
    await accessible(page, 'Today with a declined invite');
    await screenshot(page, `today-declines-${size}`);
  });
});
