import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { employers } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';

/** Whether the employer exists in the current tenant (row-level security hides the others). */
export async function employerExists(tx: Tx, id: string): Promise<boolean> {
  const [row] = await tx.select({ id: employers.id }).from(employers).where(eq(employers.id, id));
  return row !== undefined;
}

/**
 * For a record that points at an employer (`body.employerId`): the employer must exist in the
 * agency. The row is locked against deletion until the transaction ends, so the foreign key
 * cannot fail between this check and the write.
 */
export async function checkEmployerRef(tx: Tx, employerId: string): Promise<void> {
  const [row] = await tx.select({ id: employers.id }).from(employers).where(eq(employers.id, employerId)).for('key share');
  if (!row) {
    throw new AppError('validation_failed', 'The employer does not exist', [{ field: 'body.employerId', message: 'Unknown employer' }]);
  }
}
