// Which built files the phone page's service worker precaches: the page's HTML, and everything
// reachable from it in the build's bundle graph (static and dynamic JS imports, CSS, assets such
// as maplibre's worker script, fonts and images referenced from CSS). Nothing of other pages, and
// never Cesium (the 3D pages' ~50 MB of static files and its big chunk). Pure: used by the Vite
// plugin in vite.config.ts and by its unit test.

/** One output file of the build, as far as the manifest needs it (from Rollup/Rolldown's bundle). */
export interface BuiltFile {
  fileName: string;
  type: 'chunk' | 'asset';
  /** Chunks: statically imported chunks. */
  imports?: readonly string[];
  /** Chunks: dynamically imported chunks. */
  dynamicImports?: readonly string[];
  /** Chunks: CSS files Vite attaches to the chunk (viteMetadata.importedCss). */
  importedCss?: Iterable<string>;
  /** Chunks: assets referenced by the chunk (viteMetadata.importedAssets, e.g. `?url` imports). */
  importedAssets?: Iterable<string>;
  /** Text of a chunk, a CSS file or an HTML page (scanned for further references); null for binaries. */
  text?: string | null;
}

/** A workbox precache entry: hashed file names carry their version, others get a revision. */
export interface PrecacheEntry {
  url: string;
  revision: string | null;
}

/** Never precached: Cesium (by folder or chunk name), source maps, other pages, service workers. */
export function excludedFromPrecache(fileName: string): boolean {
  const f = fileName.replace(/^\/+/, '');
  return /(^|\/)cesium/i.test(f) || f.endsWith('.map') || /(^|\/)[^/]*-sw\.js$/.test(f) || /(^|\/)sw\.js$/.test(f);
}

/** A Vite output name with a content hash ("assets/mobile-BfulLTFK.js"): its URL changes when it does. */
export function hasContentHash(fileName: string): boolean {
  return /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/i.test(fileName) && fileName.startsWith('assets/');
}

/**
 * References to other built files inside a text: `src=`/`href=` attributes, CSS `url(...)`, and
 * quoted paths in JS ("/assets/x-HASH.mjs", "./x-HASH.js"). Resolved against the referring file
 * and kept only when they name a file in `known`.
 */
export function referencedFiles(from: string, text: string, known: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/') + 1) : '';
  const add = (raw: string) => {
    const ref = raw.trim().replace(/^['"]|['"]$/g, '').split(/[?#]/)[0]!;
    if (!ref || /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(ref)) return; // data:, blob:, http:, //host
    const path = ref.startsWith('/') ? ref.slice(1) : normalize(dir + ref);
    if (known.has(path)) found.add(path);
  };
  for (const m of text.matchAll(/\b(?:src|href)\s*=\s*("[^"]*"|'[^']*')/g)) add(m[1]!);
  for (const m of text.matchAll(/url\(\s*("[^"]*"|'[^']*'|[^)'"]*)\s*\)/g)) add(m[1]!);
  for (const m of text.matchAll(/["'`]((?:\.{1,2}\/|\/)?(?:[\w.-]+\/)*[\w.-]+\.(?:m?js|css|woff2?|ttf|otf|png|jpe?g|svg|webp|json|pbf|wasm))["'`]/g)) add(m[1]!);
  return [...found];
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/**
 * Every file the page `html` needs, in a stable order (the HTML first, then breadth first):
 * walks the bundle graph from the HTML's own references.
 */
export function pageFiles(html: string, files: ReadonlyMap<string, BuiltFile>): string[] {
  const page = files.get(html);
  if (!page) throw new Error(`precache: ${html} is not in the build`);
  const known = new Set(files.keys());
  const seen = new Set<string>([html]);
  const order: string[] = [html];
  const queue: string[] = [];
  const visit = (name: string) => {
    if (seen.has(name) || excludedFromPrecache(name) || !files.has(name) || name.endsWith('.html')) return;
    seen.add(name);
    order.push(name);
    queue.push(name);
  };
  for (const r of referencedFiles(html, page.text ?? '', known)) visit(r);
  while (queue.length) {
    const f = files.get(queue.shift()!)!;
    for (const r of f.imports ?? []) visit(r);
    for (const r of f.dynamicImports ?? []) visit(r);
    for (const r of f.importedCss ?? []) visit(r);
    for (const r of f.importedAssets ?? []) visit(r);
    if (f.text) for (const r of referencedFiles(f.fileName, f.text, known)) visit(r);
  }
  return order;
}

/**
 * The precache manifest of one page: its files as root-relative URLs, with a revision for those
 * whose name carries no content hash (the HTML). `revisionOf` hashes a file's content.
 */
export function precacheManifest(html: string, files: ReadonlyMap<string, BuiltFile>, revisionOf: (fileName: string) => string): PrecacheEntry[] {
  return pageFiles(html, files).map((f) => ({ url: `/${f}`, revision: hasContentHash(f) ? null : revisionOf(f) }));
}
