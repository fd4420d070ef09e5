import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

/**
 * The production build of the API and worker: every file of src/ transpiled to JavaScript in
 * dist/ (same tree, ES modules, source maps), so `npm run start:api`, `start:worker` and the image
 * run plain `node` (docs/operations.md#production-build). Not bundled: dist/db/migrate.js finds
 * ../../drizzle and the web routes ../../../web/dist as from src/. Types are checked by
 * `npm run typecheck`, not here. Built when dist/ is older than src/, or always with `--force`.
 */
const root = join(import.meta.dirname, '..');
const src = join(root, 'src');
export const SERVER_DIST = join(root, 'dist');
const marker = join(SERVER_DIST, 'server.js');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const newest = (paths: string[]) => Math.max(0, ...paths.map((p) => statSync(p).mtimeMs));

export function buildServer({ force = false } = {}): 'fresh' | 'built' {
  const sources = files(src);
  if (!force && existsSync(marker) && statSync(marker).mtimeMs >= newest([...sources, src])) return 'fresh';
  rmSync(SERVER_DIST, { recursive: true, force: true });
  buildSync({
    entryPoints: sources,
    outdir: SERVER_DIST,
    outbase: src,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  console.log(`server built: ${sources.length} files of ${relative(root, src)}/ in ${relative(root, SERVER_DIST)}/`);
  return 'built';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    buildServer({ force: process.argv.includes('--force') });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
