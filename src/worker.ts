import { configOrExit, runUntilSignal, start } from './server.js';

const config = configOrExit();
runUntilSignal(await start(config, { api: false, worker: true }), config.SHUTDOWN_GRACE_MS);
