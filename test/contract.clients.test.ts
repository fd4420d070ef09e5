import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateApi } from 'swagger-typescript-api';

/**
 * Issue 20's "done when": clients generated from the committed document by openapi-typescript
 * (openapi/schema.d.ts, `npm run openapi`) and by a second generator from npm
 * (swagger-typescript-api) compile, and name their methods by operationId (docs/contract.md).
 */
const run = promisify(execFile);
const TSC = resolve('node_modules/typescript/bin/tsc');
const DOC = resolve('openapi/openapi.json');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'afterview-client-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const doc = async () => JSON.parse(await readFile(DOC, 'utf8')) as { paths: Record<string, Record<string, { operationId: string }>> };

/** tsc --noEmit over `files` in `dir`, strict; the compiler's output when it fails. */
async function compile(files: string[]): Promise<string> {
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], strict: true, noEmit: true, skipLibCheck: true, types: [] },
      files,
    }),
  );
  try {
    await run(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

describe('clients generated from openapi/openapi.json', () => {
  it('swagger-typescript-api: one method per operation, named by its operationId; the client and a call written against it compile', async () => {
    await generateApi({ input: DOC, output: dir, fileName: 'api.ts', httpClientType: 'fetch', silent: true, moduleNameFirstTag: true });
    const source = await readFile(join(dir, 'api.ts'), 'utf8');
    const ids = Object.values((await doc()).paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    // Each operation is a method `<operationId>: (` of its tag's module.
    const methods = new Set([...source.matchAll(/^ {4}([a-z][A-Za-z0-9]*): \(/gm)].map((m) => m[1]));
    expect(ids.filter((id) => !methods.has(id))).toEqual([]);
    expect(methods.size).toBe(ids.length);
    // Typed by the document: the call compiles, and a wrong body does not.
    await writeFile(
      join(dir, 'use.ts'),
      `import { Api } from './api';
const api = new Api({ baseUrl: 'http://localhost:3000' });
export async function story() {
  const page = await api.candidates.listCandidates({ limit: 25 });
  const first: string | undefined = page.data.data[0]?.name;
  await api.interviews.completeInterview('01938a8e-2a3b-7c4d-9e5f-60718293a4b5', {});
  return first;
}
`,
    );
    expect(await compile(['api.ts', 'use.ts'])).toBe('');
    await writeFile(join(dir, 'wrong.ts'), `import { Api } from './api';\nnew Api().candidates.createCandidate({ nmae: 'typo' });\n`);
    expect(await compile(['api.ts', 'wrong.ts'])).toMatch(/wrong\.ts.*error TS/);
  }, 60_000);

  it('openapi-typescript: the committed types key every operation by its operationId, and a typed call compiles', async () => {
    const types = await readFile('openapi/schema.d.ts', 'utf8');
    for (const id of Object.values((await doc()).paths).flatMap((m) => Object.values(m).map((o) => o.operationId))) {
      expect(types, id).toContain(`    ${id}: {`);
    }
    await writeFile(join(dir, 'schema.d.ts'), types);
    await writeFile(
      join(dir, 'typed.ts'),
      `import type { operations } from './schema';
type List = operations['listCandidates']['responses'][200]['content']['application/json'];
export const names = (page: List): string[] => page.data.map((c) => c.name);
type Complete = operations['completeInterview']['parameters']['path'];
export const path: Complete = { id: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5' };
`,
    );
    expect(await compile(['schema.d.ts', 'typed.ts'])).toBe('');
  }, 60_000);
});
