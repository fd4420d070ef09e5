import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { buildApp } from '../../src/app.js';
import { createDeps, type Deps } from '../../src/deps.js';
import { queueNames, removeQueueKeys } from '../../src/jobs/queues.js';
import type { Role } from '../../src/lib/access.js';
import type { Clock } from '../../src/lib/clock.js';
import type { Logger } from 'pino';
import { testConfig } from './env.js';
import type { components } from '../../openapi/schema.js';

export type Schemas = components['schemas'];

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  close(): Promise<void>;
}

export async function createTestApp(opts: { env?: Record<string, string>; clock?: Clock; log?: Logger } = {}): Promise<TestApp> {
  const deps = createDeps(testConfig(opts.env), { ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.log ? { log: opts.log } : {}) });
  const app = await buildApp(deps);
  await app.ready();
  // Rate limits fail open until Redis is connected; tests start once it is (or cannot be).
  if (deps.redis.status !== 'ready') {
    await Promise.race([once(deps.redis, 'ready').catch(() => undefined), new Promise((r) => setTimeout(r, 1_000))]);
  }
  return {
    app,
    deps,
    async close() {
      await app.close();
      // Planning enqueues deliver jobs at commit; without a worker they would stay in the shared Redis.
      if (deps.redis.status === 'ready') {
        await Promise.all(queueNames.map((q) => deps.queues.get(q).obliterate({ force: true }).catch(() => undefined)));
        // obliterate leaves a queue's bookkeeping and scheduler keys behind.
        await removeQueueKeys(deps.redis, deps.config.QUEUE_PREFIX).catch(() => undefined);
      }
      await deps.close();
    },
  };
}

export const uniq = (prefix = 't') => `${prefix}-${randomBytes(5).toString('hex')}`;
export const PASSWORD = 'correct-horse-battery-staple';

export interface TestTenant {
  slug: string;
  tenantId: string;
  ownerId: string;
  ownerEmail: string;
  token: string;
  refreshToken: string;
}

export const json = <T>(res: LightMyRequestResponse): T => res.json() as T;
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A fresh agency with its owner signed in: every test works in a tenant of its own. */
export async function newTenant(app: FastifyInstance): Promise<TestTenant> {
  const slug = uniq('agency');
  const ownerEmail = `owner@${slug}.test`;
  const res = await app.inject({
    method: 'POST',
    url: '/v1/signup',
    payload: { agencyName: `Agency ${slug}`, slug, owner: { name: 'Olive Owner', email: ownerEmail, password: PASSWORD } },
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const tokens = json<Schemas['TokenResponse']>(res);
  const me = json<Schemas['Me']>(await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(tokens.accessToken) }));
  return {
    slug,
    tenantId: me.agency.id,
    ownerId: me.user!.id,
    ownerEmail,
    token: tokens.accessToken,
    refreshToken: tokens.refreshToken,
  };
}

/** Adds a user with `role` to the tenant and signs them in. */
export async function userWithRole(app: FastifyInstance, tenant: TestTenant, role: Role) {
  const email = `${role}-${uniq('u')}@${tenant.slug}.test`;
  const created = await app.inject({
    method: 'POST',
    url: '/v1/users',
    headers: bearer(tenant.token),
    payload: { email, name: `${role} person`, role, password: PASSWORD },
  });
  if (created.statusCode !== 201) throw new Error(`create user failed: ${created.statusCode} ${created.body}`);
  const login = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { agency: tenant.slug, email, password: PASSWORD },
  });
  const tokens = json<Schemas['TokenResponse']>(login);
  return { id: json<Schemas['CreatedUser']>(created).id, email, token: tokens.accessToken, refreshToken: tokens.refreshToken };
}

export async function apiKey(app: FastifyInstance, tenant: TestTenant, scopes: string[]) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(tenant.token),
    payload: { name: uniq('key'), scopes },
  });
  if (res.statusCode !== 201) throw new Error(`create key failed: ${res.statusCode} ${res.body}`);
  return json<Schemas['CreatedApiKey']>(res);
}

export function expectProblem(res: LightMyRequestResponse, status: number, code?: string) {
  const body = res.json() as Schemas['Problem'];
  const ok =
    res.statusCode === status &&
    String(res.headers['content-type']).startsWith('application/problem+json') &&
    body.status === status &&
    (code === undefined || body.code === code) &&
    typeof body.requestId === 'string';
  if (!ok) throw new Error(`expected problem ${status} ${code ?? ''}, got ${res.statusCode} ${res.headers['content-type']} ${res.body}`);
  return body;
}

export type { InjectOptions };
