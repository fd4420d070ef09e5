import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createDeps, type Deps } from './deps.js';
import { buildApp } from './app.js';
import { migrateDatabase } from './db/migrate.js';
import { seedDemo, demo } from './demo/seed.js';
import { seedDemoStory } from './demo/story.js';
import { startWorkers, type RunningWorkers } from './jobs/worker.js';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { serveMetrics } from './http/metrics.js';
import { startTracing } from './lib/tracing.js';

/** Reads the config or stops the process with one line naming the bad variable. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export interface Started {
  deps: Deps;
  close(): Promise<void>;
}

/**
 * Starts what a process runs: the API, the workers, or both (`npm start`). `overrides`: for the
 * chaos suite's processes (test/chaos/), which run on a clock the test moves.
 */
export async function start(config: Config, parts: { api: boolean; worker: boolean }, overrides: Parameters<typeof createDeps>[1] = {}): Promise<Started> {
  const tracing = await startTracing(config, parts.api && parts.worker ? 'all' : parts.api ? 'api' : 'worker');
  const deps = createDeps(config, overrides);
  if (config.MIGRATE_ON_START) {
    await migrateDatabase(config.DATABASE_ADMIN_URL, config.DATABASE_URL, deps.log);
  }
  let workers: RunningWorkers | undefined;
  let metrics: Server | undefined;
  if (config.METRICS_PORT) {
    metrics = await serveMetrics(deps.metrics, config.HOST, config.METRICS_PORT);
    deps.log.info({ port: config.METRICS_PORT }, 'metrics served at /metrics');
  }
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  if (parts.worker) workers = await startWorkers(deps);
  if (parts.api) {
    const seeded = config.SEED_DEMO && (await seedDemo(deps));
    app = await buildApp(deps);
    if (seeded) {
      await seedDemoStory(app, deps.clock.now());
      deps.log.info(demo, 'seeded the demo agency: sign in at / in a browser, or with POST /v1/auth/login { agency, email, password }');
    }
    const address = await app.listen({ host: config.HOST, port: config.PORT });
    deps.log.info({ address, web: `${address}/`, docs: `${address}/docs` }, 'API listening');
  }
  return {
    deps,
    async close() {
      // Stop taking requests and finish the ones in flight, then the jobs, then the pools.
      await app?.close();
      await workers?.close();
      await deps.close();
      metrics?.close();
      await tracing?.shutdown();
    },
  };
}

export function runUntilSignal(started: Started, graceMs: number): void {
  closeWithGrace({ delay: graceMs }, async ({ signal, err }) => {
    if (err) started.deps.log.error({ err }, 'shutting down after an error');
    else started.deps.log.info({ signal }, 'shutting down');
    await started.close();
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = configOrExit();
  runUntilSignal(await start(config, { api: true, worker: false }), config.SHUTDOWN_GRACE_MS);
}
