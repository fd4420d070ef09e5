import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { fixedClock } from '../src/lib/clock.js';
import { mailErrorForLog } from '../src/modules/auth/auth.emails.js';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, uniq, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, timeline } from './helpers/db.js';
import { linkTokenIn, readMail, smtpSink } from './helpers/smtpSink.js';

const clock = fixedClock('2026-12-07T14:00:00Z');
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  const port = await sink.listen();
  t = await createTestApp({ clock, env: { SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL: 'https://app.afterview.example/' } });
  tenant = await newTenant(t.app);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

type Invitation = Schemas['Invitation'];
const invite = (payload: object, token = tenant.token, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/invitations', headers: { ...bearer(token), ...headers }, payload });
const preview = (token: string) => t.app.inject({ method: 'POST', url: '/v1/auth/invitation', payload: { token } });
const accept = (payload: object) => t.app.inject({ method: 'POST', url: '/v1/auth/accept-invitation', payload });
const userCount = async () => (await adminPool().query('SELECT count(*)::int AS n FROM users WHERE tenant_id = $1', [tenant.tenantId])).rows[0].n as number;
const newEmail = () => `${uniq('invitee')}@example.org`;

/** Invites `email` and returns the invitation and the token of the link in the email it got. */
const invited = (email: string, role = 'recruiter') => invitedBy(tenant.token, email, role);

/** As `invited`, sent by the user of `token`. */
async function invitedBy(token: string, email: string, role: string) {
  const res = await invite({ email, role }, token);
  expect(res.statusCode, res.body).toBe(201);
  return { invitation: json<Invitation>(res), token: linkTokenIn(await sink.for(email), 'accept-invitation') };
}

describe('inviting a user', () => {
  it('the invitee gets a single-use link; accepting it with a name and password signs them in with the invited role', async () => {
    const email = newEmail();
    const { invitation, token } = await invited(email);
    expect(invitation).toMatchObject({ email, role: 'recruiter', status: 'pending', invitedBy: tenant.ownerId, expiresAt: '2026-12-10T14:00:00.000Z', sendCount: 1, emailError: null, acceptedAt: null });
    const mail = readMail(await sink.for(email));
    expect(mail.subject).toBe(`Olive Owner invited you to Agency ${tenant.slug} on Afterview`);
    expect(mail.text).toContain('https://app.afterview.example/accept-invitation#token=inv_');
    expect(mail.text).toContain(`sign in to the agency "${tenant.slug}" as ${email}`);
    // 256 random bits, stored as their SHA-256 only.
    expect(token).toMatch(/^inv_[0-9a-f]{32}_[\w-]{43}$/);
    const stored = await adminPool().query('SELECT token_hash FROM invitations WHERE id = $1', [invitation.id]);
    expect(stored.rows[0].token_hash).toBe(createHash('sha256').update(token).digest('base64url'));

    expect(json(await preview(token))).toEqual({ agency: { name: `Agency ${tenant.slug}`, slug: tenant.slug }, email, role: 'recruiter', expiresAt: '2026-12-10T14:00:00.000Z' });
    const res = await accept({ token, name: 'Ines Invitee', password: 'a-long-passphrase-of-her-own', timeZone: 'America/Chicago' });
    expect(res.statusCode, res.body).toBe(201);
    const me = json<Schemas['Me']>(await t.app.inject({ url: '/v1/me', headers: bearer(json<Schemas['TokenResponse']>(res).accessToken) }));
    expect(me.user).toMatchObject({ email, name: 'Ines Invitee', role: 'recruiter', timeZone: 'America/Chicago', status: 'active' });
    const signIn = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: tenant.slug, email, password: 'a-long-passphrase-of-her-own' } });
    expect(signIn.statusCode).toBe(200);

    const after = json<Invitation>(await t.app.inject({ url: `/v1/invitations/${invitation.id}`, headers: bearer(tenant.token) }));
    expect(after).toMatchObject({ status: 'accepted', acceptedUserId: me.user!.id, acceptedAt: '2026-12-07T14:00:00.000Z' });
    expect((await timeline(tenant.tenantId, invitation.id)).map((r) => [r.action, r.event_type])).toEqual([
      ['invitation.created', 'invitation.created'],
      ['invitation.accepted', 'invitation.accepted'],
    ]);
    expect((await timeline(tenant.tenantId, me.user!.id)).map((r) => r.action)).toEqual(['user.created']);

    // Used: a clear 410 naming the field, and nothing changes.
    const users = await userCount();
    const again = expectProblem(await accept({ token, name: 'Someone Else', password: 'yet-another-passphrase' }), 410, 'link_used');
    expect(again.errors).toEqual([{ field: 'body.token', message: 'Already used' }]);
    expectProblem(await preview(token), 410, 'link_used');
    expect(await userCount()).toBe(users);
  });

  it('pending invitations are listed; a resend sends a new link and the old one stops working; a revoked one is gone', async () => {
    const [first, second] = [newEmail(), newEmail()];
    const a = await invited(first, 'viewer');
    const b = await invited(second, 'admin');
    const pending = json<{ data: Invitation[] }>(await t.app.inject({ url: '/v1/invitations?limit=100', headers: bearer(tenant.token) })).data;
    expect(pending.filter((i) => [first, second].includes(i.email)).map((i) => [i.email, i.status])).toEqual([
      [second, 'pending'],
      [first, 'pending'],
    ]);

    clock.advance(3_600_000);
    const resent = await t.app.inject({ method: 'POST', url: `/v1/invitations/${a.invitation.id}/resend`, headers: bearer(tenant.token) });
    expect(json<Invitation>(resent)).toMatchObject({ status: 'pending', sendCount: 2, expiresAt: '2026-12-10T15:00:00.000Z' });
    const newToken = linkTokenIn(await sink.nth(first, 2), 'accept-invitation');
    expect(newToken).not.toBe(a.token);
    // The link of the earlier email is no longer one of ours: its answer says to open the latest.
    expect(expectProblem(await preview(a.token), 400, 'link_invalid').detail).toMatch(/latest email/);
    expect((await preview(newToken)).statusCode).toBe(200);

    expect((await t.app.inject({ method: 'DELETE', url: `/v1/invitations/${b.invitation.id}`, headers: bearer(tenant.token) })).statusCode).toBe(204);
    expect(expectProblem(await accept({ token: b.token, name: 'Too Late', password: 'a-long-passphrase-2026' }), 410, 'link_expired').detail).toMatch(/withdrawn/);
    const revoked = json<{ data: Invitation[] }>(await t.app.inject({ url: '/v1/invitations?status=revoked&limit=100', headers: bearer(tenant.token) })).data;
    expect(revoked.map((i) => i.id)).toContain(b.invitation.id);
    expectProblem(await t.app.inject({ method: 'POST', url: `/v1/invitations/${b.invitation.id}/resend`, headers: bearer(tenant.token) }), 409, 'conflict');
    // Revoking twice is fine; an accepted one cannot be revoked.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/invitations/${b.invitation.id}`, headers: bearer(tenant.token) })).statusCode).toBe(204);
    expect((await accept({ token: newToken, name: 'Vic Viewer', password: 'a-long-passphrase-2026' })).statusCode).toBe(201);
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/invitations/${a.invitation.id}`, headers: bearer(tenant.token) }), 409, 'conflict');
    expect((await timeline(tenant.tenantId, a.invitation.id)).map((r) => r.action)).toEqual(['invitation.created', 'invitation.resent', 'invitation.accepted']);
    expect((await timeline(tenant.tenantId, b.invitation.id)).map((r) => r.action)).toEqual(['invitation.created', 'invitation.revoked']);
  });

  it('a link past its 72 hours is 410 link_expired and creates nothing; a resend makes it work again', async () => {
    const email = newEmail();
    const { invitation, token } = await invited(email);
    clock.advance(72 * 3_600_000);
    const users = await userCount();
    const p = expectProblem(await accept({ token, name: 'Late Larry', password: 'a-long-passphrase-2026' }), 410, 'link_expired');
    expect(p.errors).toEqual([{ field: 'body.token', message: 'Expired' }]);
    expect(await userCount()).toBe(users);
    const expired = json<{ data: Invitation[] }>(await t.app.inject({ url: '/v1/invitations?status=expired&limit=100', headers: bearer(tenant.token) })).data;
    expect(expired.map((i) => i.id)).toContain(invitation.id);
    // Inviting the email again replaces the expired invitation.
    const again = await invite({ email, role: 'viewer' });
    expect(json<Invitation>(again)).toMatchObject({ status: 'pending', role: 'viewer' });
    const fresh = linkTokenIn(await sink.nth(email, 2), 'accept-invitation');
    expect((await accept({ token: fresh, name: 'Late Larry', password: 'a-long-passphrase-2026' })).statusCode).toBe(201);
  });
});

describe('an invitation does not outlive its sender’s right to invite', () => {
  const patchUser = (id: string, payload: object) => t.app.inject({ method: 'PATCH', url: `/v1/users/${id}`, headers: bearer(tenant.token), payload });
  const acceptAs = (token: string) => accept({ token, name: 'New Person', password: 'a-long-passphrase-2026' });

  it('deactivating or demoting the sender withdraws what they could no longer send; the rest stays usable', async () => {
    const admin = await userWithRole(t.app, tenant, 'admin');
    const owner = await userWithRole(t.app, tenant, 'owner');
    const fromAdmin = await invitedBy(admin.token, newEmail(), 'recruiter');
    const ownerInvitesOwner = await invitedBy(owner.token, newEmail(), 'owner');
    const ownerInvitesViewer = await invitedBy(owner.token, newEmail(), 'viewer');

    expect((await patchUser(admin.id, { status: 'deactivated' })).statusCode).toBe(200);
    expect((await patchUser(owner.id, { role: 'admin' })).statusCode).toBe(200);

    expect(expectProblem(await acceptAs(fromAdmin.token), 410, 'link_expired').detail).toMatch(/withdrawn/);
    expect(expectProblem(await preview(ownerInvitesOwner.token), 410, 'link_expired').detail).toMatch(/withdrawn/);
    expect((await acceptAs(ownerInvitesViewer.token)).statusCode).toBe(201);
    const revoked = json<{ data: Invitation[] }>(await t.app.inject({ url: '/v1/invitations?status=revoked&limit=100', headers: bearer(tenant.token) })).data.map((i) => i.id);
    expect(revoked).toEqual(expect.arrayContaining([fromAdmin.invitation.id, ownerInvitesOwner.invitation.id]));
    expect(revoked).not.toContain(ownerInvitesViewer.invitation.id);
    expect((await timeline(tenant.tenantId, fromAdmin.invitation.id)).map((r) => r.action)).toEqual(['invitation.created', 'invitation.revoked']);
  });
});

describe('bad input, each a 4xx naming the field, nothing changed', () => {
  it('a weak password says what is required, and the link stays usable', async () => {
    const email = newEmail();
    const { token } = await invited(email);
    for (const password of ['short', 'aaaaaaaaaaaaaaaa', 'password1234', email]) {
      const p = expectProblem(await accept({ token, name: 'Wendy Weak', password }), 400, 'validation_failed');
      expect(p.errors?.map((e) => e.field)).toEqual(['body.password']);
    }
    const rules = expectProblem(await accept({ token, name: 'Wendy Weak', password: 'password1234' }), 400).errors![0]!.message;
    expect(rules).toMatch(/At least 12 characters/);
    expect((await preview(token)).statusCode).toBe(200);
  });

  it('an altered, foreign or made-up link is 400 link_invalid naming body.token', async () => {
    const { token } = await invited(newEmail());
    const other = await newTenant(t.app);
    const foreign = token.replace(/^inv_[0-9a-f]{32}_/, `inv_${other.tenantId.replaceAll('-', '')}_`);
    const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [altered, foreign, 'inv_nonsense', `pwr_${token.slice(4)}`, 'x'.repeat(256)]) {
      const p = expectProblem(await accept({ token: bad, name: 'Mallory', password: 'a-long-passphrase-2026' }), 400, 'link_invalid');
      expect(p.errors).toEqual([{ field: 'body.token', message: 'Not a valid link' }]);
      expectProblem(await preview(bad), 400, 'link_invalid');
    }
    expect((await preview(token)).statusCode).toBe(200);
  });

  it('an email that is a user already, or has a pending invitation, is 409 naming body.email; only an owner invites an owner; keys cannot invite', async () => {
    const member = await userWithRole(t.app, tenant, 'viewer');
    expect(expectProblem(await invite({ email: member.email, role: 'viewer' }), 409, 'already_exists')).toMatchObject({ errors: [{ field: 'body.email', message: 'Already a user' }], existingId: member.id });
    const email = newEmail();
    const { invitation } = await invited(email);
    expect(expectProblem(await invite({ email: email.toUpperCase(), role: 'admin' }), 409, 'already_exists')).toMatchObject({ errors: [{ field: 'body.email', message: 'Already invited' }], existingId: invitation.id });
    const admin = await userWithRole(t.app, tenant, 'admin');
    expect(expectProblem(await invite({ email: newEmail(), role: 'owner' }, admin.token), 403, 'forbidden').errors).toEqual([{ field: 'body.role', message: 'Owner only' }]);
    const key = await apiKey(t.app, tenant, ['users:read']);
    expectProblem(await invite({ email: newEmail(), role: 'viewer' }, key.secret), 403, 'forbidden');
  });

  it('the same Idempotency-Key sends one invitation and one email', async () => {
    const email = newEmail();
    const key = { 'idempotency-key': uniq('inv') };
    const [first, second] = [await invite({ email, role: 'recruiter' }, tenant.token, key), await invite({ email, role: 'recruiter' }, tenant.token, key)];
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    await sink.for(email);
    expect(sink.received.filter((m) => m.to.includes(email))).toHaveLength(1);
  });

  it('when the mail server refuses, the invitation is kept with the error, and a resend can try again', async () => {
    const broken = await createTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:1' } });
    try {
      const owner = await newTenant(broken.app);
      const res = await broken.app.inject({ method: 'POST', url: '/v1/invitations', headers: bearer(owner.token), payload: { email: newEmail(), role: 'viewer' } });
      expect(res.statusCode).toBe(201);
      expect(json<Invitation>(res)).toMatchObject({ status: 'pending', sendCount: 0, lastSentAt: null, emailError: expect.stringMatching(/\S/) });
      // What is logged of such a refusal quotes no address.
      expect(mailErrorForLog(new Error('550 5.1.1 <rita@hvteachers.example.org>: Recipient address rejected'))).toBe('550 5.1.1 <<address>>: Recipient address rejected');
    } finally {
      await broken.close();
    }
  });
});
