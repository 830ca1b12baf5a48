#!/usr/bin/env node
// Prints the gzipped size of the JS and CSS that the built index.html loads up front (entry
// scripts, modulepreloads and stylesheets) and fails above the budget. Lazy chunks do not count.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 150 * 1000; // 150 kB
const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, process.argv[2] ?? '../../src/taskmaster/static');
const indexPath = join(outDir, 'index.html');

if (!existsSync(indexPath)) {
  console.error(`No build found at ${indexPath}. Run \`npm run build\` first.`);
  process.exit(2);
}

const html = readFileSync(indexPath, 'utf8');
const urls = new Set();
for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
  const attr = (name) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];
  if (/^<script/i.test(tag)) {
    const src = attr('src');
    if (src) urls.add(src);
  } else {
    const rel = (attr('rel') ?? '').toLowerCase();
    const href = attr('href');
    if (href && (rel === 'stylesheet' || rel === 'modulepreload')) urls.add(href);
  }
}

const rows = [];
for (const url of urls) {
  if (/^(https?:)?\/\//i.test(url)) {
    console.error(`index.html loads ${url} from elsewhere; it is not counted.`);
    continue;
  }
  const file = join(outDir, url.replace(/^\//, '').split(/[?#]/)[0]);
  if (!/\.(m?js|css)$/i.test(file)) continue;
  const body = readFileSync(file);
  rows.push({ url, raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
}

const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
const width = Math.max(...rows.map((r) => r.url.length), 5);
console.log(`${'asset'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}`);
for (const r of rows) console.log(`${r.url.padEnd(width)}  ${kb(r.raw).padStart(10)}  ${kb(r.gzip).padStart(10)}`);
const total = rows.reduce((n, r) => n + r.gzip, 0);
const raw = rows.reduce((n, r) => n + r.raw, 0);
console.log(`${'total'.padEnd(width)}  ${kb(raw).padStart(10)}  ${kb(total).padStart(10)}`);

// The Zustand devtools middleware is for development builds only.
const assets = join(outDir, 'assets');
const leaks = readdirSync(assets)
  .filter((name) => name.endsWith('.js'))
  .filter((name) => readFileSync(join(assets, name), 'utf8').includes('__REDUX_DEVTOOLS_EXTENSION__'));
if (leaks.length > 0) {
  console.error(`The devtools middleware is in the production build: ${leaks.join(', ')}`);
  process.exit(1);
}

if (rows.length === 0) {
  console.error('index.html loads no JS or CSS: is this the right build?');
  process.exit(1);
}
if (total > BUDGET_BYTES) {
  console.error(`Initial bundle is ${kb(total)} gzipped, over the ${kb(BUDGET_BYTES)} budget.`);
  process.exit(1);
}
console.log(`Initial bundle: ${kb(total)} gzipped, within the ${kb(BUDGET_BYTES)} budget.`);
