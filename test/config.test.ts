import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { configSchema, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('when nothing is set, then the defaults target PostgreSQL and Redis on this machine', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toContain('@127.0.0.1:5432/');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.PORT).toBe(3000);
  });

  it.each([
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://x@localhost/db'],
    ['REDIS_URL', 'not a url'],
    ['JWT_SECRET', 'short'],
    ['LOG_PRETTY', 'maybe'],
  ])('when %s is %s, then loading fails with one line naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}: `));
  });

  it('when the process starts with a bad value, then it exits 1 with one clear line', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT: /)]);
  });

  it('.env.example documents every variable of the schema', () => {
    const example = readFileSync('.env.example', 'utf8');
    for (const key of Object.keys(configSchema.shape)) expect(example, key).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
  });
});
