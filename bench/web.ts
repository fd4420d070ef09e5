/**
 * Web client benchmark: the first load of Today in headless Chromium (cold cache, signed in from an
 * earlier visit) with 500 follow-ups due, against two baselines measured in the same run: Today with
 * nothing due (the cost of the page itself), and the API calls Today makes, fetched from Node
 * without a browser (the cost of the data). Also the JavaScript shipped, gzipped, and an import of
 * 10,000 candidate rows from the Import page (preview, then the run on a worker until its progress
 * reaches 100 %), in rows per second; once, not per round.
 *
 *   npm run bench:web                 # 5 rounds, medians
 *   BENCH_ROUNDS=9 npm run bench:web
 *
 * It uses its own database (afterview_bench_web, re-created each run) and Redis key prefix.
 * Results go to stdout and bench/results/web.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { migrateDatabase } from '../src/db/migrate.js';
import { buildWeb, jsGzipBytes } from '../scripts/web-build.js';
import { gitRevision, machineBusyPct, recreateDatabase } from './lib.js';

process.env.AFTERVIEW_TEST_DB = 'afterview_bench_web';
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/afterview_bench_web';
const APP_URL = 'postgres://afterview_app:afterview_app@127.0.0.1:5432/afterview_bench_web';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DUE = 500;
const IMPORT_ROWS = 10_000;

// After AFTERVIEW_TEST_DB is set: the test helpers read it when loaded.
const { launch, measureTodayLoad, seedDueTasks, signedInContext, startWebStack, tokensFor } = await import('../test/web/harness.js');
const { newTenant, PASSWORD } = await import('../test/helpers/app.js');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

buildWeb();
await recreateDatabase(ADMIN_URL);
await migrateDatabase(ADMIN_URL, APP_URL);
const stack = await startWebStack({ env: { QUEUE_PREFIX: `afterview-bench-web-${process.pid}` }, worker: true });
const browser = await launch();
try {
  const now = new Date();
  const busy = await newTenant(stack.t.app);
  await seedDueTasks(stack.t, busy, DUE, now);
  const quiet = await newTenant(stack.t.app);
  const busyPct = await machineBusyPct();

  /** What Today fetches, from Node: refresh, me, users, then every page of the due list. */
  async function apiOnly() {
    const tokens = await tokensFor(stack.t, busy.slug, busy.ownerEmail, PASSWORD);
    const start = performance.now();
    const post = await fetch(`${stack.url}/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: tokens.refreshToken }) });
    const { accessToken } = (await post.json()) as { accessToken: string };
    const get = async (path: string) => (await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${accessToken}` } })).json() as Promise<{ data: unknown[]; nextCursor: string | null }>;
    await get('/v1/me');
    const dueBefore = new Date(now.getTime() + 86_400_000).toISOString();
    let rows = 0;
    let cursor: string | null = null;
    await Promise.all([
      get('/v1/users?limit=100'),
      get('/v1/follow-ups?limit=100&status=queued'),
      (async () => {
        do {
          const page = await get(`/v1/follow-ups?limit=100&status=pending&dueBefore=${dueBefore}${cursor ? `&cursor=${cursor}` : ''}`);
          rows += page.data.length;
          cursor = page.nextCursor;
        } while (cursor);
      })(),
    ]);
    if (rows !== DUE) throw new Error(`expected ${DUE} rows, got ${rows}`);
    return performance.now() - start;
  }

  const results = { today500: [] as number[], today500All: [] as number[], todayEmpty: [] as number[], api500: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    const busyLoad = await measureTodayLoad(browser, stack.url, { t: stack.t, tenant: busy, password: PASSWORD }, DUE, now);
    results.today500.push(busyLoad.ms);
    results.today500All.push(busyLoad.allMs);
    results.todayEmpty.push((await measureTodayLoad(browser, stack.url, { t: stack.t, tenant: quiet, password: PASSWORD }, 0, now, 'Nothing due today.')).ms);
    results.api500.push(await apiOnly());
  }
  /** The Import page with a file of IMPORT_ROWS new candidates: the preview's ms, and the run's from Start until the summary shows. */
  async function importRows() {
    const importer = await newTenant(stack.t.app);
    const tokens = await tokensFor(stack.t, importer.slug, importer.ownerEmail, PASSWORD);
    const context = await signedInContext(browser, tokens.refreshToken, importer.slug);
    const page = await context.newPage();
    try {
      await page.goto(`${stack.url}/import`);
      await page.getByRole('heading', { name: 'Import', level: 1 }).waitFor({ timeout: 30_000 });
      const lines = ['name,email,phone,tags'];
      for (let i = 0; i < IMPORT_ROWS; i++) lines.push(`Person ${i},person${i}@example.org,(212) 555-${String(i % 10_000).padStart(4, '0')},bench`);
      await page.getByLabel('CSV file').setInputFiles({ name: 'bench.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
      let start = performance.now();
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByRole('button', { name: 'Start import' }).waitFor({ timeout: 120_000 });
      const previewMs = performance.now() - start;
      start = performance.now();
      await page.getByRole('button', { name: 'Start import' }).click();
      const summary = page.getByTestId('import-summary');
      await summary.waitFor({ timeout: 1_800_000 });
      const runMs = performance.now() - start;
      const text = await summary.textContent();
      if (!text?.startsWith(`${IMPORT_ROWS.toLocaleString('en-US')} created`)) throw new Error(`the import did not create every row: ${text}`);
      return { previewMs, runMs, rowsPerSecond: IMPORT_ROWS / (runMs / 1000) };
    } finally {
      await context.close();
    }
  }
  const imported = await importRows();

  const m = { today500: median(results.today500), today500All: median(results.today500All), todayEmpty: median(results.todayEmpty), api500: median(results.api500) };
  const jsGzip = jsGzipBytes();
  const report = {
    at: now.toISOString(),
    revision: gitRevision(),
    rounds: ROUNDS,
    machineBusyPctBefore: busyPct,
    medianMs: m,
    ratios: { today500VsEmpty: m.today500 / m.todayEmpty, today500VsApiOnly: m.today500 / m.api500 },
    jsGzipBytes: jsGzip,
    import: { rows: IMPORT_ROWS, ...imported },
    goals: { today500UnderMs: 1000, jsGzipUnderBytes: 250 * 1024 },
    samplesMs: results,
  };
  const f = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`web client, median of ${ROUNDS} (machine ${busyPct}% busy before):`);
  console.log(`  first load of Today, ${DUE} due     ${f(m.today500)}   (goal < 1000 ms: ${m.today500 < 1000 ? 'met' : 'NOT met'})`);
  console.log(`  … until all ${DUE} rows are in the page ${f(m.today500All)}`);
  console.log(`  first load of Today, nothing due  ${f(m.todayEmpty)}   (x${report.ratios.today500VsEmpty.toFixed(2)})`);
  console.log(`  its API calls from Node, ${DUE} due  ${f(m.api500)}   (x${report.ratios.today500VsApiOnly.toFixed(2)})`);
  console.log(`  JavaScript, all chunks, gzipped   ${(jsGzip / 1024).toFixed(1)} kB   (goal < 250 kB: ${jsGzip < 250 * 1024 ? 'met' : 'NOT met'})`);
  console.log(`  import of ${IMPORT_ROWS} candidate rows    ${imported.rowsPerSecond.toFixed(0)} rows/s (preview ${f(imported.previewMs)}, run ${(imported.runMs / 1000).toFixed(1)} s)`);
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL('./results/web.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
} finally {
  await browser.close();
  await stack.close();
  const { adminPool } = await import('../test/helpers/db.js');
  await adminPool().end();
}
