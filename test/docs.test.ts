import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { eventCatalogue } from '../src/core/events.js';
import { stageTransitions } from '../src/modules/applications/applications.stages.js';

describe('the docs stay true', () => {
  it('docs/events.md lists every event type of the catalogue', () => {
    const doc = readFileSync('docs/events.md', 'utf8');
    for (const type of Object.keys(eventCatalogue)) expect(doc, type).toContain(`| \`${type}\` |`);
  });

  it('docs/domain.md shows the stage transitions the code enforces', () => {
    const doc = readFileSync('docs/domain.md', 'utf8');
    for (const [from, to] of Object.entries(stageTransitions)) {
      if (to.length > 0) expect(doc, from).toContain(`| ${from} | ${to.join(', ')} |`);
    }
  });
});
