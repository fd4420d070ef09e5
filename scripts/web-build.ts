import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * `npm start` and the test run call this first: it builds the web client when web/dist is missing
 * or older than its sources, else does nothing (a few stat calls). `--force` always builds
 * (`npm run build`).
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

/** Gzipped bytes of every JavaScript chunk of the last build. */
export function jsGzipBytes(): number {
  const assets = join(root, 'web', 'dist', 'assets');
  return readdirSync(assets)
    .filter((f) => f.endsWith('.js.gz'))
    .reduce((n, f) => n + statSync(join(assets, f)).size, 0);
}

export function buildWeb({ force = false } = {}): 'fresh' | 'built' | 'no-vite' {
  if (!force && existsSync(dist) && statSync(dist).mtimeMs >= Math.max(...sources.map(newest))) return 'fresh';
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    // A production install (npm ci --omit=dev) has no build tools: serve what was built, if anything.
    console.warn(existsSync(dist) ? 'web/dist may be stale: vite is not installed' : 'web client not built and vite is not installed: the API runs without it');
    return 'no-vite';
  }
  console.log('building the web client (web/dist)…');
  // NODE_ENV pinned: under vitest it is 'test', and Vite would then ship React's development build.
  const r = spawnSync(process.execPath, [vite, 'build', '--mode', 'production', '--config', join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw new Error('vite build failed');

  // Compressed once here, served as they are (@fastify/static preCompressed): no per-request gzip.
  const assets = join(root, 'web', 'dist', 'assets');
  for (const f of readdirSync(assets).filter((f) => /\.(js|css)$/.test(f))) {
    const raw = readFileSync(join(assets, f));
    writeFileSync(join(assets, `${f}.gz`), gzipSync(raw, { level: 9 }));
    writeFileSync(join(assets, `${f}.br`), brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
  console.log(`web client built: ${(jsGzipBytes() / 1024).toFixed(1)} kB of JavaScript gzipped, all chunks`);
  return 'built';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    buildWeb({ force: process.argv.includes('--force') });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
