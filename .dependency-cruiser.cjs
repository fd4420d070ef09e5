/**
 * The layering of src/ (docs/architecture.md), checked in CI by `npm run -s lint:deps`.
 * A violation prints the rule's name and the import that breaks it.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core-and-lib',
      comment: 'src/core is pure: business time, playbook, planner, rules, template rendering. It reads no database, queue or request.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/(core|lib)/' },
    },
    {
      name: 'no-cycles',
      comment:
        'An import cycle makes load order matter and hides which file owns what. A job handler loaded with import() when the worker first runs it (src/jobs/define.ts) is not loaded with its definition, so that edge does not count.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['dynamic-import'] } },
    },
    {
      name: 'no-module-imports-another-modules-repo',
      comment: "A module's repo is its own: other modules call its service (or its eraseFor/exportFor).",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/.*\\.repo\\.ts$', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'http-imports-no-module',
      comment: 'The edge reaches modules only through interfaces src/app.ts hands it (key lookup, idempotency store, revocations).',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'lib-imports-only-lib',
      comment: 'src/lib is the toolbox every layer uses; it depends on no layer.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'job-registry-only-in-jobs',
      comment: 'The list of every job is the worker\'s (src/jobs/); producers import the one definition they enqueue (src/jobs/define.ts).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/jobs/' },
      to: { path: '^src/jobs/registry\\.ts$' },
    },
    {
      name: 'demo-only-from-entry',
      comment: 'src/demo seeds the demo agency through the product itself (sign-up, then the API): an entry point starts it, nothing else imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(server|main)\\.ts$|^src/demo/' },
      to: { path: '^src/demo/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
