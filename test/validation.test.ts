import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createTestApp } from './helpers/app.js';
it('dump', async () => {
  const t = await createTestApp();
  writeFileSync('/tmp/routes.json', JSON.stringify(t.app.routeTable, null, 1));
  writeFileSync('/tmp/openapi.json', JSON.stringify((await t.app.inject({ url: '/openapi.json' })).json(), null, 1));
  await t.close();
});
