import type { FastifyInstance } from 'fastify';
import { apiKey, bearer, userWithRole, type TestTenant } from './app.js';

/** What to send to a route that takes an id, with the id of a resource that exists in tenant B. */
export interface IsolationCase {
  params: Record<string, string>;
  body?: unknown;
  /** After tenant A's attempt: is B's resource exactly as it was? */
  unchanged?: () => Promise<boolean>;
}

export type IsolationFixture = (app: FastifyInstance, b: TestTenant) => Promise<IsolationCase>;

const userFixture =
  (body?: unknown): IsolationFixture =>
  async (app, b) => {
    const user = await userWithRole(app, b, 'viewer');
    const read = async () => (await app.inject({ url: `/v1/users/${user.id}`, headers: bearer(b.token) })).body;
    const before = await read();
    return { params: { id: user.id }, body, unchanged: async () => (await read()) === before };
  };

const keyFixture: IsolationFixture = async (app, b) => {
  const key = await apiKey(app, b, ['agency:read']);
  const read = async () => (await app.inject({ url: `/v1/api-keys/${key.id}`, headers: bearer(b.token) })).body;
  const before = await read();
  return { params: { id: key.id }, unchanged: async () => (await read()) === before };
};

const employerFixture =
  (body?: unknown): IsolationFixture =>
  async (app, b) => {
    const res = await app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(b.token), payload: { name: 'B District', kind: 'district' } });
    const id = res.json().id as string;
    const read = async () => (await app.inject({ url: `/v1/employers/${id}`, headers: bearer(b.token) })).body;
    const before = await read();
    return { params: { id }, body, unchanged: async () => (await read()) === before };
  };

/**
 * One entry per route that takes an id, keyed `METHOD url`. The suite fails for any such route
 * without an entry, so a new route cannot skip the isolation check: add its fixture here.
 */
export const isolationFixtures: Record<string, IsolationFixture> = {
  'GET /v1/users/:id': userFixture(),
  'PATCH /v1/users/:id': userFixture({ name: 'Taken Over', role: 'owner' }),
  'GET /v1/api-keys/:id': keyFixture,
  'DELETE /v1/api-keys/:id': keyFixture,
  'GET /v1/employers/:id': employerFixture(),
  'PATCH /v1/employers/:id': employerFixture({ name: 'Taken over' }),
  'DELETE /v1/employers/:id': employerFixture(),
};

export const fillPath = (url: string, params: Record<string, string>) =>
  url.replace(/:(\w+)/g, (_, name: string) => {
    const v = params[name];
    if (!v) throw new Error(`fixture for ${url} lacks param ${name}`);
    return v;
  });
