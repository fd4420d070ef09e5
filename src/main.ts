import { configOrExit, runUntilSignal, start } from './server.js';

// `npm start`: API and workers in one process, for a single machine.
const config = configOrExit();
runUntilSignal(await start(config, { api: true, worker: true }), config.SHUTDOWN_GRACE_MS);
