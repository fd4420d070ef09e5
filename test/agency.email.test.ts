import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Writable } from 'node:stream';
import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { createDeps, type Deps } from '../src/deps.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { fixedClock } from '../src/lib/clock.js';
import { deliverJobId } from '../src/modules/followups/followups.jobs.js';
import { pastUndoWindow } from './helpers/undoWindow.js';
import { createLogger } from '../src/lib/logger.js';
import { bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { sendDigest } from '../src/modules/followups/followups.digest.js';
import { recruitingStory, scheduledInterview } from './helpers/story.js';
import { testConfig } from './helpers/env.js';
import { adminPool } from './helpers/db.js';
import { authSink } from './helpers/smtpSink.js';

// The agency's own sender: two agencies, two SMTP servers that require AUTH, each agency's mail on
// its own server with its own credentials; the password nowhere it should not be.
const clock = fixedClock('2028-01-12T16:10:00Z');

const PASS_A = 'pa55-A-very-secret-4e1b';
const PASS_B = 'pa55-B-very-secret-9c7d';
const sinkA = authSink('mailer-a', PASS_A);
const sinkB = authSink('mailer-b', PASS_B);
const platform = authSink('platform', 'platform-pass');

const lines: string[] = [];
const log = createLogger({ level: 'trace', pretty: false }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let ports: { a: number; b: number };
let workerDeps: Deps;
let running: RunningWorkers;
const answers: string[] = [];

beforeAll(async () => {
  ports = { a: await sinkA.listen(), b: await sinkB.listen() };
  const env = { QUEUE_PREFIX: `afterview-agency-email-${process.pid}`, SMTP_URL: `smtp://platform:platform-pass@127.0.0.1:${await platform.listen()}`, MAIL_FROM: 'followups@platform.example' };
  t = await createTestApp({ clock, env, log });
  [a, b] = [await newTenant(t.app), await newTenant(t.app)];
  workerDeps = createDeps(testConfig(env), { clock, log });
  running = await startWorkers(workerDeps, { concurrency: 2, schedules: false, relay: false });
});
afterAll(async () => {
  await running?.close();
  await t.deps.queues.get('followups').obliterate({ force: true });
  await workerDeps?.close();
  await t.close();
  await Promise.all([sinkA.close(), sinkB.close(), platform.close()]);
});

const put = async (tenant: TestTenant, body: object) => {
  const res = await t.app.inject({ method: 'PUT', url: '/v1/agency/email', headers: bearer(tenant.token), payload: body });
  answers.push(res.body);
  return res;
};
const settings = (port: number, user: string, pass: string, domain: string) => ({
  host: '127.0.0.1',
  port,
  tls: 'none',
  username: user,
  password: pass,
  domain,
  fromAddress: `recruiting@${domain}`,
  fromName: `Recruiting at ${domain}`,
});

/** A completed interview: the candidate's "what comes next" update goes out once its undo window has passed. */
async function sendOne(tenant: TestTenant) {
  const story = await recruitingStory(t.app, tenant);
  const interview = await scheduledInterview(t.app, tenant, story, '2028-01-12T10:00:00-05:00');
  const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: bearer(tenant.token), payload: {} });
  expect(done.statusCode, done.body).toBe(200);
  const planned = json<{ data: Schemas['FollowUp'][] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&limit=100`, headers: bearer(tenant.token) })).data;
  const update = planned.find((f) => f.key === 'candidate_update:completed')!;
  await pastUndoWindow(clock, t.deps.queues.get('followups'), { jobIds: [deliverJobId(update.id, update.version)] });
  return story;
}

describe('the agency’s own sender', () => {
  it('refuses a From outside the domain and a DKIM key that is not one, naming the field', async () => {
    const wrongFrom = await put(a, { ...settings(ports.a, 'mailer-a', PASS_A, 'agency-a.example'), fromAddress: 'me@gmail.com' });
    expect(expectProblem(wrongFrom, 400, 'validation_failed').errors?.map((e) => e.field)).toEqual(['body.fromAddress']);
    const badKey = await put(a, { ...settings(ports.a, 'mailer-a', PASS_A, 'agency-a.example'), dkim: { selector: 'av', privateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' } });
    expect(expectProblem(badKey, 400, 'validation_failed').errors?.map((e) => e.field)).toEqual(['body.dkim.privateKey']);
    expect(json<Schemas['AgencyEmail']>(await t.app.inject({ url: '/v1/agency/email', headers: bearer(a.token) })).configured).toBe(false);
  });

  it('each agency’s mail reaches only its own server, with its own credentials and From; DKIM-signed when asked', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const savedA = await put(a, { ...settings(ports.a, 'mailer-a', PASS_A, 'agency-a.example'), dkim: { selector: 'av2028', privateKey } });
    expect(savedA.statusCode, savedA.body).toBe(200);
    expect(json<Schemas['AgencyEmail']>(savedA)).toMatchObject({ configured: true, hasPassword: true, dkim: { selector: 'av2028', domain: 'agency-a.example' } });
    expect((await put(b, settings(ports.b, 'mailer-b', PASS_B, 'agency-b.example'))).statusCode).toBe(200);

    const [storyA, storyB] = [await sendOne(a), await sendOne(b)];
    const [gotA, gotB] = await Promise.all([sinkA.for(String(storyA.candidate.email)), sinkB.for(String(storyB.candidate.email))]);
    expect(gotA.user).toBe('mailer-a');
    expect(gotB.user).toBe('mailer-b');
    const [mailA, mailB] = await Promise.all([simpleParser(gotA.raw), simpleParser(gotB.raw)]);
    expect(mailA.from?.value[0]?.address).toBe('recruiting@agency-a.example');
    expect(mailB.from?.value[0]?.address).toBe('recruiting@agency-b.example');
    expect(mailA.replyTo?.value[0]?.address?.toLowerCase()).toBe(a.ownerEmail.toLowerCase());
    const dkimOf = (raw: string) => /^DKIM-Signature: (.*(?:\r?\n[ \t].*)*)/im.exec(raw.split(/\r?\n\r?\n/)[0]!)?.[1]?.replace(/\r?\n[ \t]+/g, ' ') ?? null;
    expect(dkimOf(gotA.raw)).toMatch(/\bd=agency-a\.example;.*\bs=av2028;/);
    expect(dkimOf(gotB.raw)).toBeNull();
    // Nothing crossed over, and nothing went out from the platform's server.
    expect(sinkA.got.some((g) => g.to.includes(String(storyB.candidate.email).toLowerCase()))).toBe(false);
    expect(sinkB.got.some((g) => g.to.includes(String(storyA.candidate.email).toLowerCase()))).toBe(false);
    expect(platform.got.filter((g) => g.to.includes(String(storyA.candidate.email).toLowerCase()) || g.to.includes(String(storyB.candidate.email).toLowerCase()))).toEqual([]);
  });

  it('“send a test email” answers what the server said: delivered, or its refusal of a wrong password', async () => {
    const ok = await t.app.inject({ method: 'POST', url: '/v1/agency/email/test', headers: bearer(b.token), payload: { to: 'check@agency-b.example' } });
    answers.push(ok.body);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json<Schemas['AgencyEmailTestResult']>(ok)).toMatchObject({ delivered: true, responseCode: 250, from: 'recruiting@agency-b.example' });
    expect((await sinkB.for('check@agency-b.example')).user).toBe('mailer-b');

    expect((await put(b, { ...settings(ports.b, 'mailer-b', 'wrong-password', 'agency-b.example') })).statusCode).toBe(200);
    const refused = await t.app.inject({ method: 'POST', url: '/v1/agency/email/test', headers: bearer(b.token), payload: {} });
    answers.push(refused.body);
    expect(json<Schemas['AgencyEmailTestResult']>(refused)).toMatchObject({ delivered: false, responseCode: 535 });
    expect(json<Schemas['AgencyEmailTestResult']>(refused).response).toMatch(/535/);
    // A follow-up sent meanwhile fails with the server's answer on it, and nothing is lost.
    const storyB = await sendOne(b);
    const list = async () => json<{ data: Schemas['FollowUp'][] }>(await t.app.inject({ url: `/v1/follow-ups?candidateId=${storyB.candidate.id}&limit=100`, headers: bearer(b.token) })).data;
    let update: Schemas['FollowUp'] | undefined;
    await vi.waitFor(async () => {
      update = (await list()).find((f) => f.key === 'candidate_update:completed');
      expect(update).toMatchObject({ status: 'failed' });
    }, { timeout: 15_000, interval: 50 });
    expect(update!.lastError).toMatch(/535/);

    // The next morning's digest tells the owner, who can mend the settings, with the server's answer
    // (it comes from the platform's server, so a broken agency server cannot hide it); a recruiter
    // whose own follow-ups did not fail is not told.
    const recruiter = await userWithRole(t.app, b, 'recruiter');
    const owners = await sendDigest(workerDeps, { tenantId: b.tenantId, userId: b.ownerId, date: '2028-01-12' });
    expect(owners).toMatchObject({ outcome: 'sent' });
    const digest = await simpleParser(platform.got.find((g) => g.to.includes(b.ownerEmail.toLowerCase()) && /^X-Afterview-Digest: 2028-01-12/im.test(g.raw))!.raw);
    expect(digest.subject).toMatch(/\b1 failed to send\b/);
    expect(digest.text).toContain(`Failed to send (1)`);
    expect(digest.text).toMatch(new RegExp(`${update!.id}\\]\\n\\s+the server said: .*535`));
    expect(await sendDigest(workerDeps, { tenantId: b.tenantId, userId: recruiter.id, date: '2028-01-12' })).toMatchObject({ outcome: 'empty' });

    // Mended, it goes again with resend, from the agency's own server, and arrives once.
    expect((await put(b, settings(ports.b, 'mailer-b', PASS_B, 'agency-b.example'))).statusCode).toBe(200);
    const resent = await t.app.inject({ method: 'POST', url: `/v1/follow-ups/${update!.id}/resend`, headers: { ...bearer(b.token), 'if-match': `"${update!.version}"` }, payload: { reason: 'password mended' } });
    expect(resent.statusCode, resent.body).toBe(200);
    const again = json<Schemas['FollowUp']>(resent);
    expect(again).toMatchObject({ status: 'pending', version: update!.version + 1 });
    await vi.waitFor(async () => expect(await t.deps.queues.get('followups').getJob(deliverJobId(again.id, again.version))).toBeTruthy());
    await pastUndoWindow(clock, t.deps.queues.get('followups'), { jobIds: [deliverJobId(again.id, again.version)] });
    expect((await sinkB.for(String(storyB.candidate.email))).user).toBe('mailer-b');
    await vi.waitFor(async () => expect((await list()).find((f) => f.id === update!.id)).toMatchObject({ status: 'sent' }), { timeout: 15_000, interval: 50 });
    expect(sinkB.got.filter((g) => g.to.includes(String(storyB.candidate.email).toLowerCase()))).toHaveLength(1);
  });

  it('the password is in no API answer, log line, event or export, and at rest only sealed', async () => {
    answers.push((await t.app.inject({ url: '/v1/agency/email', headers: bearer(a.token) })).body);
    const story = (await recruitingStory(t.app, a)).candidate;
    answers.push((await t.app.inject({ url: `/v1/candidates/${story.id}/export`, headers: bearer(a.token) })).body);
    const events = await adminPool().query<{ payload: unknown }>('SELECT payload FROM events WHERE tenant_id = ANY($1::uuid[])', [[a.tenantId, b.tenantId]]);
    const activities = await adminPool().query<{ row: unknown }>('SELECT to_jsonb(x) AS row FROM activities x WHERE tenant_id = ANY($1::uuid[])', [[a.tenantId, b.tenantId]]);
    const atRest = await adminPool().query<{ row: unknown }>('SELECT to_jsonb(x) AS row FROM agency_mail_settings x');
    const haystacks = { answers: answers.join('\n'), logs: lines.join(''), events: JSON.stringify(events.rows), activities: JSON.stringify(activities.rows), atRest: JSON.stringify(atRest.rows) };
    expect(events.rows.length).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(0);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of [PASS_A, PASS_B, 'wrong-password', 'BEGIN PRIVATE KEY']) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
    expect(JSON.stringify(atRest.rows)).toMatch(/"password_sealed": ?"v1\./);
  });
});
