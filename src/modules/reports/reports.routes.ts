import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
export function reportsRoutes(_app: App, _deps: Deps) {}
