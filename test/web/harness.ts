import type { Queue } from 'bullmq';
import { deliverJobId } from '../../src/modules/followups/followups.jobs.js';
import { pastUndoWindow } from '../helpers/undoWindow.js';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createDeps, type Deps } from '../../src/deps.js';
import { startWorkers, type RunningWorkers } from '../../src/jobs/worker.js';
import type { Clock } from '../../src/lib/clock.js';
import { bearer, createTestApp, json, type Schemas, type TestApp, type TestTenant } from '../helpers/app.js';
import { adminPool } from '../helpers/db.js';
import { testConfig } from '../helpers/env.js';
import { recruitingStory, scheduledInterview } from '../helpers/story.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = new URL('../../', import.meta.url).pathname;

export interface WebStack {
  t: TestApp;
  url: string;
  /** The worker's follow-up queue (when a worker runs): pastUndoWindow lets its delayed sends run. */
  followups?: Queue;
  close(): Promise<void>;
}

/** The API serving the built client on 127.0.0.1, with its own queues and, if asked, a worker. */
export async function startWebStack(opts: { clock?: Clock; env?: Record<string, string>; worker?: boolean }): Promise<WebStack> {
  const env = { QUEUE_PREFIX: `afterview-web-${process.pid}-${Date.now()}`, ...opts.env };
  const t = await createTestApp({ ...(opts.clock ? { clock: opts.clock } : {}), env });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  let workerDeps: Deps | undefined;
  let running: RunningWorkers | undefined;
  if (opts.worker) {
    workerDeps = createDeps(testConfig(env), opts.clock ? { clock: opts.clock } : {});
    // No maintenance schedules: their purges would run on this file's clock (2027) against the
    // whole test database. Send-now queues its delivery itself; the sweep is not needed here.
    running = await startWorkers(workerDeps, { concurrency: 5, schedules: false });
  }
  return {
    t,
    url,
    ...(workerDeps ? { followups: workerDeps.queues.get('followups') } : {}),
    async close() {
      await running?.close();
      if (workerDeps) {
        for (const name of ['followups', 'maintenance'] as const) await workerDeps.queues.get(name).obliterate({ force: true });
        await workerDeps.close();
      }
      await t.close();
    },
  };
}

export const launch = (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
};

/** Saves a screenshot under screenshots/ when SCREENSHOTS=1 (the folder is git-ignored). */
export async function screenshot(page: Page, name: string) {
  if (process.env.SCREENSHOTS !== '1') return;
  const dir = `${root}screenshots`;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** A context already signed in as a user: their refresh token in storage, as after an earlier visit. */
export async function signedInContext(browser: Browser, refreshToken: string, slug: string, viewport = { width: 1200, height: 900 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  // Runs in the page (a string: this file is compiled without the DOM types).
  await context.addInitScript(
    `if (!sessionStorage.getItem('seeded')) { localStorage.setItem('afterview.refresh', ${JSON.stringify(refreshToken)}); localStorage.setItem('afterview.agency', ${JSON.stringify(slug)}); sessionStorage.setItem('seeded', '1'); }`,
  );
  return context;
}

/**
 * `n` open recruiter tasks due before `dueBefore` for the tenant's owner, on 10 interviews (the
 * rows are written directly: planning 500 real ones takes 100 completed interviews).
 */
export async function seedDueTasks(t: TestApp, tenant: TestTenant, n: number, dueBefore: Date) {
  const story = await recruitingStory(t.app, tenant);
  const interviews = [];
  for (let i = 0; i < 10; i++) interviews.push(await scheduledInterview(t.app, tenant, story, new Date(dueBefore.getTime() - (i + 2) * 86_400_000).toISOString()));
  const vars = { candidate: 'Jordan Lee', position: '5th grade teacher', employer: 'The school', recruiter: 'Olive Owner' };
  const values: unknown[] = [];
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const iv = interviews[i % interviews.length]!;
    const due = new Date(dueBefore.getTime() - (i + 1) * 60_000);
    const p = values.length;
    rows.push(`($${p + 1}, gen_random_uuid(), $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, 'recruiter_check_in', 'phone', 'agency', $${p + 6}, $${p + 7}, $${p + 7}, $${p + 7}, 'seeded for the load test', $${p + 8}, $${p + 9})`);
    values.push(tenant.tenantId, iv.id, story.application.id, story.candidate.id, `recruiter_check_in:load:${i}`, JSON.stringify({ type: 'contact', contactId: story.principal.id, name: 'Pat Principal', email: null }), due, tenant.ownerId, JSON.stringify(vars));
  }
  await adminPool().query(
    `INSERT INTO follow_ups (tenant_id, id, interview_id, application_id, candidate_id, key, kind, channel, voice, recipient, due_at, rule_due_at, planned_due_at, reason, owner_id, vars) VALUES ${rows.join(',')}`,
    values,
  );
}

export async function tokensFor(t: TestApp, slug: string, email: string, password: string) {
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: slug, email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return json<Schemas['TokenResponse']>(res);
}

/**
 * Opens Today in a fresh context (cold cache) of a signed-in user: the milliseconds from navigation
 * until the summary and the first screenful show (`ms`), and until all `expected` rows are in the
 * page (`allMs`).
 */
export async function measureTodayLoad(browser: Browser, url: string, stack: { t: TestApp; tenant: TestTenant; password: string }, expected: number, now: Date, text = `${expected} due today`) {
  const tokens = await tokensFor(stack.t, stack.tenant.slug, stack.tenant.ownerEmail, stack.password);
  const context = await signedInContext(browser, tokens.refreshToken, stack.tenant.slug);
  await context.clock.setFixedTime(now);
  const page = await context.newPage();
  const start = performance.now();
  await page.goto(url);
  await page.getByTestId('today-summary').filter({ hasText: text }).waitFor({ timeout: 30_000 });
  const ms = performance.now() - start;
  // (Locators, not waitForFunction: the page's CSP forbids evaluating strings.)
  if (expected > 0) await page.getByTestId('followup').nth(expected - 1).waitFor({ state: 'attached', timeout: 30_000 });
  const allMs = performance.now() - start;
  const items = await page.getByTestId('followup').count();
  await context.close();
  return { ms, allMs, items };
}

export { bearer };

/** The two sizes every page is checked at: a laptop and a phone. */
export const VIEWPORTS = { laptop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } } as const;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations on the page as it is now (every rule but the experimental ones), as
 * `rule: selector…` lines. Injected through the DevTools protocol, not a script tag: the page's
 * CSP (script-src 'self') would refuse an inline one.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(`${axeSource}\n;0`);
  return page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => v.id + ' (' + v.help + '): ' + v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')))",
  );
}

/** Whether the page is wider than its viewport (something overflows sideways). */
export const overflowsSideways = (page: Page): Promise<boolean> => page.evaluate('document.documentElement.scrollWidth > window.innerWidth');

/**
 * Goes to a main page by its link, opening the Menu first when the links are folded behind it
 * (phone width).
 */
export async function goTo(page: Page, name: string) {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

/**
 * After a failed test, each open page's screenshot (test-results/<prefix>-failed-…png) and its
 * main text on stderr: what the browser showed when the assertion gave up.
 */
export async function captureFailure(ctx: { task: { name: string; result?: { state?: string } } }, prefix: string, contexts: BrowserContext[]) {
  if (ctx.task.result?.state !== 'fail') return;
  for (const [i, c] of contexts.entries()) {
    for (const p of c.pages()) {
      await p.screenshot({ path: `test-results/${prefix}-failed-${i}-${ctx.task.name.slice(0, 30).replace(/\W+/g, '-')}.png`, fullPage: true }).catch(() => undefined);
      console.error(`page at ${p.url()} showed:\n${await p.locator('main').innerText().catch(() => '(nothing)')}`);
    }
  }
}

/**
 * After a Send now in the page: lets the follow-up's email leave, as its undo window passes on the
 * injected clock (the worker never sends early, and BullMQ holds the job in real time).
 */
export async function pastUndo(stack: WebStack, clock: { advance(ms: number): void }, auth: Record<string, string>, followUpId: string) {
  const res = await stack.t.app.inject({ url: `/v1/follow-ups/${followUpId}`, headers: auth });
  const f = res.json() as { version: number; status: string };
  if (!stack.followups) throw new Error('pastUndo needs the web stack started with a worker');
  await pastUndoWindow(clock, stack.followups, { jobIds: [deliverJobId(followUpId, f.version)] });
}
