import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixedClock } from '../../src/lib/clock.js';
import { bearer, json, newTenant, PASSWORD, type Schemas, type TestTenant } from '../helpers/app.js';
import { axeViolations, captureFailure, launch, overflowsSideways, screenshot, signedInContext, startWebStack, tokensFor, VIEWPORTS, type WebStack } from './harness.js';

/**
 * Issue 19, importing one's data: the Import page previews a CSV file (counts, each error at its
 * row and column), runs it with a worker while the progress bar fills, and offers each row's
 * outcome; employers with their district in one file. Both sizes, axe-core on each state.
 */
const NOW = '2033-03-08T15:00:00Z';
const clock = fixedClock(NOW);

let stack: WebStack;
let browser: Browser;
let tenant: TestTenant;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startWebStack({ clock, worker: true });
  tenant = await newTenant(stack.t.app);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach((ctx) => captureFailure(ctx, 'import', contexts));

async function open(size: keyof typeof VIEWPORTS, path: string): Promise<Page> {
  const tokens = await tokensFor(stack.t, tenant.slug, tenant.ownerEmail, PASSWORD);
  const context = await signedInContext(browser, tokens.refreshToken, tenant.slug, VIEWPORTS[size]);
  await context.clock.setFixedTime(new Date(NOW));
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.url}${path}`);
  await page.getByTestId('role').waitFor({ state: 'attached' });
  return page;
}

async function accessible(page: Page, what: string) {
  expect(await axeViolations(page), what).toEqual([]);
  expect(await overflowsSideways(page), `${what}: nothing wider than the screen`).toBe(false);
}

const csvFile = (name: string, lines: string[]) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });

async function choose(page: Page, kind: string, file: ReturnType<typeof csvFile>) {
  await page.getByRole('combobox', { name: 'What the file holds' }).selectOption({ label: kind });
  await page.getByLabel('CSV file').setInputFiles(file);
  await page.getByRole('button', { name: 'Preview' }).click();
}

describe.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s size', (size) => {
  it('previews candidates with an error at its row and column, imports the rest while the progress bar fills, and downloads each row’s outcome', { timeout: 120_000 }, async () => {
    const page = await open(size, '/candidates');
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await page.getByRole('heading', { name: 'Import', level: 1 }).waitFor();
    await accessible(page, 'the import page');

    // A file that cannot be read is refused at the file field.
    await choose(page, 'Candidates', csvFile('no-email.csv', ['name,phone', 'Ada Park,2125550123']));
    const fileError = page.locator('.field-error[data-field="csv"]');
    await fileError.waitFor();
    expect(await fileError.textContent()).toContain('a column "email" is needed');
    await accessible(page, 'a file refused');

    // 600 good rows (two chunks of the job) and one with a phone that cannot be dialled, on row 5.
    const lines = ['Name,Email,Phone,Owner'];
    for (let i = 0; i < 600; i++) lines.push(`Person ${i} ${size},p${i}-${size}@example.org,${i === 3 ? 'call me' : ''},Sam`);
    lines.push(`Last Person ${size},last-${size}@example.org,(212) 555-0123,Sam`);
    await choose(page, 'Candidates', csvFile(`people-${size}.csv`, lines));
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    expect(await preview.innerText()).toMatch(/600\s+to create[\s\S]*0\s+to update[\s\S]*0\s+unchanged[\s\S]*1\s+with errors/);
    expect(await page.getByText('Columns left out: Owner.').count()).toBe(1);
    const errors = page.getByTestId('import-error');
    expect(await errors.count()).toBe(1);
    const cells = await errors.first().locator('td').allInnerTexts();
    expect(cells.slice(0, 2)).toEqual(['5', 'Phone']);
    expect(cells[2]).toContain('Not a number that can be dialled');
    await accessible(page, 'the preview with an error');
    await screenshot(page, `import-preview-${size}`);

    await page.getByRole('button', { name: 'Start import' }).click();
    const summary = page.getByTestId('import-summary');
    await summary.waitFor({ timeout: 90_000 });
    expect(await summary.textContent()).toBe('600 created, 0 updated, 0 unchanged, 1 not imported.');
    const bar = page.getByRole('progressbar', { name: 'Import progress' });
    expect(await bar.getAttribute('value')).toBe('601');
    expect(await bar.getAttribute('max')).toBe('601');
    expect(await page.getByTestId('import-progress').textContent()).toBe('601 of 601 rows (100 %)');
    expect(await page.getByTestId('announcement').textContent()).toContain('Import finished: 600 created');
    await accessible(page, 'the import finished');
    await screenshot(page, `import-done-${size}`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download row outcomes' }).click()]);
    expect(download.suggestedFilename()).toBe(`people-${size}-outcomes.csv`);
    const out = readFileSync((await download.path())!, 'utf8').trimEnd().split(/\r?\n/);
    expect(out[0]).toBe('row,name,email,action,outcome,recordId,errors,message');
    expect(out).toHaveLength(602);
    expect(out[4]).toMatch(/^5,,,error,failed,,"?Phone: Not a number that can be dialled/);

    // The list has them.
    await page.getByRole('link', { name: 'Open the list' }).click();
    await page.getByRole('heading', { name: 'Candidates', level: 1 }).waitFor();
    const res = await stack.t.app.inject({ url: `/v1/candidates?q=${encodeURIComponent(`last-${size}@example.org`)}`, headers: bearer(tenant.token) });
    expect(json<{ data: Schemas['Candidate'][] }>(res).data[0]).toMatchObject({ name: `Last Person ${size}`, phone: '+12125550123' });
  });

  it('imports a district and its schools from one file, from the Employers page', { timeout: 60_000 }, async () => {
    const page = await open(size, '/employers');
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await page.getByRole('heading', { name: 'Import', level: 1 }).waitFor();
    expect(await page.getByRole('combobox', { name: 'What the file holds' }).inputValue()).toBe('employers');
    const district = `Hudson ${size} CSD`;
    await choose(page, 'Employers (districts and schools)', csvFile('schools.csv', ['name,kind,district', `${district},district,`, `Lincoln ${size},school,${district}`, `Roosevelt ${size},school,${district}`]));
    await page.getByTestId('import-preview').waitFor();
    expect(await page.getByTestId('import-preview').innerText()).toMatch(/3\s+to create/);
    expect(await page.getByTestId('import-error').count()).toBe(0);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByTestId('import-summary').filter({ hasText: '3 created, 0 updated, 0 unchanged, 0 not imported.' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('import-progress').textContent()).toBe('3 of 3 rows (100 %)');
    await accessible(page, 'employers imported');

    const res = await stack.t.app.inject({ url: `/v1/employers?q=${encodeURIComponent(size)}&limit=10`, headers: bearer(tenant.token) });
    const all = json<{ data: Schemas['Employer'][] }>(res).data;
    const d = all.find((e) => e.name === district)!;
    expect(all.filter((e) => e.parentId === d.id).map((e) => e.name).sort()).toEqual([`Lincoln ${size}`, `Roosevelt ${size}`]);

    // The same file again: nothing to write.
    await page.getByRole('button', { name: 'Import another file' }).click();
    await choose(page, 'Employers (districts and schools)', csvFile('schools.csv', ['name,kind,district', `${district},district,`, `Lincoln ${size},school,${district}`, `Roosevelt ${size},school,${district}`]));
    await page.getByText('Nothing to write: every row is unchanged or has errors.').waitFor();
    expect(await page.getByRole('button', { name: 'Start import' }).isDisabled()).toBe(true);
  });
});
