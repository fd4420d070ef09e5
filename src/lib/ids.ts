import { v7 } from 'uuid';

/** Time-ordered ids (UUIDv7): random enough to be unguessable, sortable for keyset pagination. */
export const newId = (): string => v7();
