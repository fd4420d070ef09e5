import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { createDeps, type Deps } from '../../src/deps.js';
import { startWorkers, type RunningWorkers } from '../../src/jobs/worker.js';
import { fixedClock } from '../../src/lib/clock.js';
import { deliverFollowUp } from '../../src/modules/followups/followups.delivery.js';
import { bearer, createTestApp, json, newTenant, PASSWORD, type Schemas, type TestApp, type TestTenant } from '../helpers/app.js';
import { adminPool } from '../helpers/db.js';
import { testConfig } from '../helpers/env.js';
import { readMail, smtpSink } from '../helpers/smtpSink.js';
import { recruitingStory, scheduledInterview, type Story } from '../helpers/story.js';
import { axeViolations, launch, screenshot, signedInContext, tokensFor, VIEWPORTS } from './harness.js';

/**
 * A response link in a real browser (docs/response-links.md): the timeline request is sent to the
 * SMTP sink, the contact opens the link read from that message in Chromium (no JavaScript on the
 * page), answers "we will decide by Fri 12 March", and the interview's plan follows the new date
 * (re-planned by the worker from the recorded answer). axe-core on each page state. The interview is
 * Thu 4 Mar 2027 10:00 New York; the worker runs on the test's clock, without schedules.
 */
const clock = fixedClock('2027-03-04T16:10:00Z');
const sink = smtpSink();
let t: TestApp;
let url: string;
let browser: Browser;
let tenant: TestTenant;
let story: Story;
let interviewId: string;
let link: string;
let workerDeps: Deps;
let worker: RunningWorkers;

/** A free port, so that PUBLIC_URL (the links' address) is this server's own. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const plan = async () =>
  json<{ data: Schemas['FollowUp'][] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${interviewId}&limit=100`, headers: bearer(tenant.token) })).data;

beforeAll(async () => {
  const smtpPort = await sink.listen();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const env = { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, PUBLIC_URL: url };
  t = await createTestApp({ clock, env });
  await t.app.listen({ port, host: '127.0.0.1' });
  workerDeps = createDeps(testConfig(env), { clock });
  worker = await startWorkers(workerDeps, { schedules: false, relay: false });
  tenant = await newTenant(t.app);
  story = await recruitingStory(t.app, tenant);
  interviewId = (await scheduledInterview(t.app, tenant, story, '2027-03-04T10:00:00-05:00')).id;
  expect((await t.app.inject({ method: 'POST', url: `/v1/interviews/${interviewId}/complete`, headers: bearer(tenant.token), payload: {} })).statusCode).toBe(200);
  const request = (await plan()).find((f) => f.kind === 'timeline_request')!;
  clock.set('2027-03-05T14:31:00Z');
  expect((await deliverFollowUp(t.deps, { tenantId: tenant.tenantId, followUpId: request.id, version: request.version }, { number: 1, of: 3 })).outcome).toBe('sent');
  const mail = readMail(await sink.for(String(story.principal.email)));
  link = /(http:\/\/127\.0\.0\.1:\d+\/respond\/rsp_[\w-]+)/.exec(mail.text)![1]!;
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await workerDeps?.close();
  await t?.close();
  await sink.close();
});

describe('a contact answers from the email’s link', () => {
  it('opens the page, answers "we will decide by", and the status checks follow the new date', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.laptop, javaScriptEnabled: false });
    const page = await context.newPage();
    const res = await page.goto(link);
    expect(res!.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Where do things stand with Jordan?');
    expect(await page.getByText('5th grade teacher').count()).toBeGreaterThan(0);
    await context.close();

    // axe needs script: a second context, the same page state.
    const checked = await browser.newContext({ viewport: VIEWPORTS.laptop });
    const p2 = await checked.newPage();
    await p2.goto(link);
    expect(await axeViolations(p2)).toEqual([]);
    await screenshot(p2, 'respond-page');

    // The answer is sent without JavaScript.
    const noJs = await browser.newContext({ viewport: VIEWPORTS.phone, javaScriptEnabled: false });
    const form = await noJs.newPage();
    await form.goto(link);
    await form.getByLabel('We will decide by the date below').check();
    await form.getByLabel('Date (for the last two answers)').fill('2027-03-12');
    await form.getByLabel('A note (optional)').fill('We see two more people first.');
    await form.getByRole('button', { name: 'Send my answer' }).click();
    await form.getByRole('heading', { name: 'Thank you' }).waitFor();
    expect(await form.getByRole('status').textContent()).toContain('was sent to');
    await noJs.close();

    // The worker re-plans from the answer a moment later.
    await vi.waitFor(
      async () => {
        const after = await plan();
        const check = after.find((f) => f.key === 'status_check:2027-03-12:1');
        expect(check).toMatchObject({ status: 'pending', dueAt: '2027-03-11T14:30:00.000Z' });
        expect(after.find((f) => f.kind === 'timeline_request')!.status).toBe('sent');
        expect(after.filter((f) => f.key.startsWith('status_check:window')).map((f) => f.status)).toEqual(['cancelled', 'cancelled']);
      },
      { timeout: 20_000, interval: 50 },
    );
    const reply = (await adminPool().query('SELECT source, contact_id, summary FROM employer_replies WHERE application_id = $1', [story.application.id])).rows;
    expect(reply).toEqual([{ source: 'link', contact_id: story.principal.id, summary: 'We will decide by 2027-03-12.\n\nWe see two more people first.' }]);
    // Answered again (the same date, as a contact confirming it): the thank-you page passes axe too.
    await p2.getByLabel('We will decide by the date below').check();
    await p2.getByLabel('Date (for the last two answers)').fill('2027-03-12');
    await p2.getByRole('button', { name: 'Send my answer' }).click();
    await p2.getByRole('heading', { name: 'Thank you' }).waitFor();
    expect(await axeViolations(p2)).toEqual([]);
    // Once the worker has followed both answers, the same two checks stand.
    await vi.waitFor(
      async () => {
        const open = await adminPool().query('SELECT count(*)::int AS n FROM employer_replies WHERE application_id = $1 AND replanned_at IS NULL', [story.application.id]);
        expect(open.rows[0].n).toBe(0);
      },
      { timeout: 20_000, interval: 50 },
    );
    expect((await adminPool().query('SELECT count(*)::int AS n FROM employer_replies WHERE application_id = $1', [story.application.id])).rows[0].n).toBe(2);
    expect((await plan()).filter((f) => f.kind === 'status_check' && f.status === 'pending').map((f) => f.key)).toEqual(['status_check:2027-03-12:1', 'status_check:2027-03-12:2']);
    await checked.close();
  });

  it('a form sent without a date shows the mistake at its field, and axe finds nothing on it', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    const page = await context.newPage();
    await page.goto(link);
    await page.getByLabel('Still deciding: ask me again on the date below').check();
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.locator('#date-error').textContent()).toBe('Give the date, e.g. 2026-12-18.');
    expect(await page.getByLabel('Date (for the last two answers)').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('an altered link gets a plain page saying so, and axe finds nothing on it', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.laptop });
    const page = await context.newPage();
    const res = await page.goto(`${link.slice(0, -2)}xx`);
    expect(res!.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link is not valid');
    expect(await page.content()).not.toContain('Jordan');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('the employer page and the interview plan then say how the employer keeps its dates and answers our emails', async () => {
    // The offer comes Tue 16 March: the date given through the link (Fri 12) was kept 2 business days late.
    clock.set('2027-03-16T15:00:00Z');
    expect((await t.app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/outcomes`, headers: bearer(tenant.token), payload: { kind: 'offer' } })).statusCode).toBe(201);
    clock.set('2027-03-17T15:00:00Z');
    const tokens = await tokensFor(t, tenant.slug, tenant.ownerEmail, PASSWORD);
    const context = await signedInContext(browser, tokens.refreshToken, tenant.slug, VIEWPORTS.laptop);
    await context.clock.setFixedTime(new Date('2027-03-17T15:00:00Z'));
    const page = await context.newPage();
    await page.goto(`${url}/employers/${story.school.id}`);
    const sentence = page.getByTestId('reliability');
    await sentence.waitFor({ timeout: 30_000 });
    expect(await sentence.textContent()).toBe(
      'Usually decides 2 business days after the date they give; answers our emails within a day (last 12 months: 0 of 1 dates kept, 0 open).',
    );
    expect(await axeViolations(page)).toEqual([]);
    // And the interview's plan says it beside the status checks.
    await page.goto(`${url}/interviews/${interviewId}`);
    const beside = page.getByTestId('reliability');
    await beside.waitFor({ timeout: 30_000 });
    expect(await beside.textContent()).toBe(
      `${String(story.school.name)}: Usually decides 2 business days after the date they give; answers our emails within a day (last 12 months: 0 of 1 dates kept, 0 open).`,
    );
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
