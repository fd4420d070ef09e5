import { loadConfig } from '../config.js';
import { migrateDatabase } from './migrate.js';

const config = loadConfig();
await migrateDatabase(config.DATABASE_ADMIN_URL, config.DATABASE_URL);
console.log('migrations applied');
