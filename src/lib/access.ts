import { z } from 'zod';

export const roles = ['owner', 'admin', 'recruiter', 'viewer'] as const;
export const roleSchema = z.enum(roles);
export type Role = (typeof roles)[number];

const rank: Record<Role, number> = { viewer: 0, recruiter: 1, admin: 2, owner: 3 };
export const roleAtLeast = (role: Role, min: Role): boolean => rank[role] >= rank[min];

/** API key scopes. Later modules add theirs (`candidates:read`, `followups:write`, ...). */
export const scopes = [
  'agency:read',
  'users:read',
  // No users:write: managing users is for signed-in admins only (drizzle/0027 took it off old keys).
  'employers:read',
  'employers:write',
  'candidates:read',
  'candidates:write',
  // Export and erasure: all that is held on a person, and its irreversible removal.
  'candidates:privacy',
  'interviews:read',
  'interviews:write',
  'followups:read',
  'followups:write',
  'activity:read',
  // The event feed (GET /v1/events): every event's webhook body, for sync without webhooks.
  'events:read',
  // Other systems' ids for our records (/v1/external-ids): an integrator's id map.
  'external_ids:read',
  'external_ids:write',
  // The reports (GET /v1/reports/…): employers' promises, recruiters' follow-ups, the pipeline.
  'reports:read',
  'webhooks:read',
  'webhooks:write',
] as const;
export const scopeSchema = z.enum(scopes);
export type Scope = (typeof scopes)[number];

/** Who is calling: a signed-in user or an API key, always inside one tenant. */
export interface Actor {
  tenantId: string;
  /** `system`: the service itself (an inbound email, the worker), never a caller of the API. */
  kind: 'user' | 'api_key' | 'system';
  userId: string | null;
  apiKeyId: string | null;
  role: Role | null;
  scopes: readonly Scope[];
  /** The session of a user's access token (`sid`): what "this session" means in /v1/me/sessions. */
  sessionId?: string | null;
}

/** Whether the caller may do what `scope` covers: a user's role decides elsewhere, an API key needs the scope. */
export const hasScope = (actor: Actor, scope: Scope): boolean => actor.kind !== 'api_key' || actor.scopes.includes(scope);

/**
 * What a route demands. `role` is the least user role; `scope` the API key scope, or `null`
 * when API keys may not call it at all (credential and user management).
 */
export type Access = { public: true } | { role: Role; scope: Scope | null };
