import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bearer, newTenant, PASSWORD, userWithRole, uniq, type TestTenant } from '../helpers/app.js';
import { readMail, smtpSink, type SunkMessage } from '../helpers/smtpSink.js';
import { launch, screenshot, startWebStack, type WebStack } from './harness.js';

/**
 * Accounts in the browser: an admin invites, the invitee joins from the emailed link, a user who
 * forgot their password resets it from the emailed link, and Settings › You lists and ends
 * sessions and changes the password. Emails are read at a real SMTP server.
 */
const sink = smtpSink();
let stack: WebStack;
let browser: Browser;
let tenant: TestTenant;
const contexts: BrowserContext[] = [];
let page: Page;

beforeAll(async () => {
  const port = await sink.listen();
  stack = await startWebStack({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  tenant = await newTenant(stack.t.app);
  browser = await launch();
  page = await fresh();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await sink.close();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  for (const [i, c] of contexts.entries()) {
    for (const p of c.pages()) await p.screenshot({ path: `test-results/accounts-failed-${i}-${ctx.task.name.slice(0, 30).replace(/\W+/g, '-')}.png`, fullPage: true }).catch(() => undefined);
  }
});

async function fresh(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  return context.newPage();
}

async function signIn(p: Page, email: string, password = PASSWORD) {
  await p.goto(stack.url);
  await p.getByLabel('Agency').fill(tenant.slug);
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByTestId('role').waitFor();
}

/** The emailed link, opened on the app under test (the email names the configured public address). */
function linkIn(m: SunkMessage, page: 'accept-invitation' | 'reset-password') {
  const href = new RegExp(`https?://\\S+/${page}#token=\\S+`).exec(readMail(m).text)![0];
  const url = new URL(href);
  return `${stack.url}${url.pathname}${url.hash}`;
}

describe('joining by invitation', () => {
  it('an admin invites from Settings › Users; the invitee opens the emailed link, chooses a name and password, and is signed in', async () => {
    await signIn(page, tenant.ownerEmail);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Users and roles' }).click();
    const email = `${uniq('ines')}@example.org`;
    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Email').fill('not an email');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await form.locator('.field-error[data-field="email"]').waitFor();
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption('recruiter');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await form.getByRole('status').filter({ hasText: `Invitation sent to ${email}.` }).waitFor();
    await page.getByTestId('invitation').filter({ hasText: email }).waitFor();
    await screenshot(page, 'settings-invitations');

    const link = linkIn(await sink.for(email), 'accept-invitation');
    const invitee = await fresh();
    await invitee.goto(link);
    expect(await invitee.getByTestId('invitation-offer').textContent()).toBe(`You are invited as a recruiter. You will sign in to the agency ${tenant.slug} as ${email}.`);
    await invitee.getByLabel('Your name').fill('Ines Invitee');
    await invitee.getByLabel('Choose a password').fill('password1234');
    await invitee.getByRole('button', { name: 'Join and sign in' }).click();
    expect(await invitee.locator('.field-error[data-field="password"]').textContent()).toMatch(/^At least 12 characters/);
    await invitee.getByLabel('Choose a password').fill('ines-own-long-passphrase');
    await invitee.getByRole('button', { name: 'Join and sign in' }).click();
    await invitee.getByTestId('role').filter({ hasText: 'Recruiter' }).waitFor();
    expect(new URL(invitee.url()).hash).toBe('');
    // The link worked once.
    const again = await fresh();
    await again.goto(link);
    await again.getByRole('heading', { name: 'This invitation cannot be used' }).waitFor();
    expect(await again.getByRole('alert').textContent()).toMatch(/accepted already/);
    // The owner's list no longer shows it as pending.
    await page.reload();
    await page.getByRole('tab', { name: 'Users and roles' }).click();
    await page.getByRole('cell', { name: 'Ines Invitee', exact: true }).waitFor();
    expect(await page.getByTestId('invitation').filter({ hasText: email }).count()).toBe(0);
  });

  it('a pending invitation is withdrawn after a confirmation, and its link stops working', async () => {
    const email = `${uniq('wanda')}@example.org`;
    const res = await stack.t.app.inject({ method: 'POST', url: '/v1/invitations', headers: bearer(tenant.token), payload: { email, role: 'viewer' } });
    expect(res.statusCode).toBe(201);
    await page.getByRole('tab', { name: 'You' }).click();
    await page.getByRole('tab', { name: 'Users and roles' }).click();
    const row = page.getByTestId('invitation').filter({ hasText: email });
    await row.getByRole('button', { name: 'Withdraw…' }).click();
    await row.getByRole('button', { name: 'Withdraw', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    const other = await fresh();
    await other.goto(linkIn(await sink.for(email), 'accept-invitation'));
    expect(await other.getByRole('alert').textContent()).toMatch(/withdrawn/);
  });
});

describe('a forgotten password', () => {
  it('is reset from the emailed link, which signs the user in and out everywhere else', async () => {
    const user = await userWithRole(stack.t.app, tenant, 'viewer');
    const elsewhere = await fresh();
    await signIn(elsewhere, user.email);
    const p = await fresh();
    await p.goto(stack.url);
    await p.getByRole('link', { name: 'Forgot your password?' }).click();
    await p.getByLabel('Agency').fill(tenant.slug);
    await p.getByLabel('Email').fill(user.email);
    await p.getByRole('button', { name: 'Email me a link' }).click();
    expect(await p.getByRole('status').textContent()).toMatch(/^If this agency has an active account with this email, a link/);
    await p.goto(linkIn(await sink.for(user.email), 'reset-password'));
    await p.getByLabel('New password', { exact: true }).fill('a-fresh-long-passphrase');
    await p.getByRole('button', { name: 'Save and sign in' }).click();
    await p.getByTestId('role').filter({ hasText: 'Viewer' }).waitFor();
    // The other browser's session ended: its next call sends it to sign in.
    await elsewhere.reload();
    await elsewhere.getByRole('button', { name: 'Sign in' }).waitFor();
    const login = await stack.t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: tenant.slug, email: user.email, password: 'a-fresh-long-passphrase' } });
    expect(login.statusCode).toBe(200);
  });
});

describe('Settings › You', () => {
  it('lists where you are signed in, signs out one session and then everywhere else, and changes the password', async () => {
    const user = await userWithRole(stack.t.app, tenant, 'recruiter');
    const login = () =>
      stack.t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: tenant.slug, email: user.email, password: PASSWORD }, headers: { 'user-agent': 'Mozilla/5.0 (iPhone) Version/17.0 Safari/604.1' }, remoteAddress: '198.51.100.7' });
    const phone = (await login()).json();
    const p = await fresh();
    await signIn(p, user.email);
    await p.getByRole('link', { name: 'Settings' }).click();
    const sessions = p.getByTestId('session');
    await sessions.first().waitFor();
    // This browser, the phone, and the sign-in userWithRole made.
    expect(await sessions.count()).toBe(3);
    expect(await sessions.filter({ hasText: 'This session' }).textContent()).toMatch(/^Chrome on Linux127\.0\.0\.1/);
    await sessions.filter({ hasText: 'Safari on iPhone' }).getByRole('button', { name: 'Sign out' }).click();
    await sessions.filter({ hasText: 'Safari on iPhone' }).waitFor({ state: 'detached' });
    expect((await stack.t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: phone.refreshToken } })).statusCode).toBe(401);

    await login();
    await p.reload();
    await p.getByRole('button', { name: 'Sign out everywhere else…' }).click();
    await p.getByRole('button', { name: 'Sign out everywhere else', exact: true }).click();
    await p.getByRole('status').filter({ hasText: 'Signed out of 2 other sessions.' }).waitFor();
    await expect.poll(() => sessions.count()).toBe(1);
    await screenshot(p, 'settings-you-sessions');

    const change = p.getByRole('form', { name: 'Change your password' });
    await change.getByLabel('Current password').fill('not-the-password');
    await change.getByLabel('New password').fill('another-long-passphrase-2027');
    await change.getByRole('button', { name: 'Change password' }).click();
    expect(await change.locator('.field-error[data-field="currentPassword"]').textContent()).toBe('Not your current password');
    await change.getByLabel('Current password').fill(PASSWORD);
    await change.getByRole('button', { name: 'Change password' }).click();
    await change.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
    // Still signed in here.
    await p.reload();
    await p.getByTestId('role').waitFor();
    const after = await stack.t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: tenant.slug, email: user.email, password: 'another-long-passphrase-2027' } });
    expect(after.statusCode).toBe(200);
  });
});
