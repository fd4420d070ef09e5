import { index, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy, timestamps } from './common.js';
import { tenantFk } from './tenants.js';

// Other systems' ids for our records: an integrator's map from its ATS to Afterview (docs/api.md#sync).

export const externalIdTypes = ['candidate', 'employer', 'contact', 'position', 'application', 'interview'] as const;

/** One record's id in another system (`source`, e.g. bullhorn): one per record and source, unique per source. */
export const externalIds = pgTable(
  'external_ids',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    type: text('type', { enum: externalIdTypes }).notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    recordId: uuid('record_id').notNull(),
    createdAt: timestamps.createdAt,
    updatedAt: timestamps.updatedAt,
  },
  (t) => [
    tenantFk('external_ids_tenant_fk', t.tenantId),
    unique('external_ids_tenant_id_id_key').on(t.tenantId, t.id),
    unique('external_ids_external_key').on(t.tenantId, t.type, t.source, t.externalId),
    unique('external_ids_record_source_key').on(t.tenantId, t.type, t.recordId, t.source),
    index('external_ids_record_idx').on(t.tenantId, t.recordId),
    tenantPolicy(),
  ],
);
