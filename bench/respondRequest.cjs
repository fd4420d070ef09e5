'use strict';
// autocannon's setupRequest for the answer page's POST (bench/respond.ts): each request answers the
// next link of this run's slice, "still deciding, ask me again on <date>" with a date that varies.
// CommonJS and a file of its own: autocannon's worker threads require() it by path. The context is
// the run's initialContext: { file, start, window, firstDay, dates }.
const { readFileSync } = require('node:fs');

const DAY_MS = 86400000;
let paths = null;
let made = 0;

module.exports = function setupRequest(req, context) {
  if (paths === null) paths = readFileSync(context.file, 'utf8').split('\n');
  const i = (context.start + (made++ % context.window)) % paths.length;
  const date = new Date(context.firstDay + (i % context.dates) * DAY_MS).toISOString().slice(0, 10);
  return { ...req, path: paths[i], body: `answer=ask_again&date=${date}` };
};
