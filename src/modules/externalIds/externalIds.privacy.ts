// What this module holds on a candidate: their ids in other systems (removed on erasure).
export { eraseFor } from './externalIds.service.js';
