import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

/**
 * `npm start` runs this first: builds the web client when web/dist is missing or older than its
 * sources, else does nothing (a few stat calls). `--force` always builds (`npm run build`).
 */
const root = join(import.meta.dirname, '..');
const dist = join(root, 'web', 'dist', 'index.html');
const sources = [join(root, 'web', 'src'), join(root, 'web', 'index.html'), join(root, 'web', 'vite.config.ts'), join(root, 'openapi', 'schema.d.ts')];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const force = process.argv.includes('--force');
if (!force && existsSync(dist) && statSync(dist).mtimeMs >= Math.max(...sources.map(newest))) process.exit(0);

const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) {
  // A production install (npm ci --omit=dev) has no build tools: serve what was built, if anything.
  console.warn(existsSync(dist) ? 'web/dist may be stale: vite is not installed' : 'web client not built and vite is not installed: the API runs without it');
  process.exit(0);
}
console.log('building the web client (web/dist)…');
const r = spawnSync(process.execPath, [vite, 'build', '--config', join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
