import { describe, expect, it } from 'vitest';
import { excludedFromPrecache, hasContentHash, pageFiles, precacheManifest, referencedFiles, type BuiltFile } from './precache-manifest.js';

// A bundle shaped like the real build: mobile.html → its entry chunk → shared and maplibre chunks
// (with maplibre's worker as a `?url` asset), CSS with a font; 3d.html → Cesium.
function bundle(): Map<string, BuiltFile> {
  const files: BuiltFile[] = [
    {
      fileName: 'mobile.html', type: 'asset',
      text: '<link rel="icon" href="data:image/svg+xml,x"><script type="module" crossorigin src="/assets/mobile-AAAAAAAA.js"></script>'
        + '<link rel="modulepreload" crossorigin href="/assets/shared-BBBBBBBB.js"><link rel="stylesheet" crossorigin href="/assets/mobile-CCCCCCCC.css">',
    },
    {
      fileName: 'assets/mobile-AAAAAAAA.js', type: 'chunk', imports: ['assets/shared-BBBBBBBB.js', 'assets/maplibre-view-DDDDDDDD.js'],
      dynamicImports: ['assets/webgl-EEEEEEEE.js'], importedCss: new Set(['assets/mobile-CCCCCCCC.css']), importedAssets: new Set(),
      text: 'import{a}from"./shared-BBBBBBBB.js";const w="/assets/maplibre-gl-worker-FFFFFFFF.mjs";',
    },
    { fileName: 'assets/shared-BBBBBBBB.js', type: 'chunk', imports: [], dynamicImports: [], text: 'export const a=1;' },
    {
      fileName: 'assets/maplibre-view-DDDDDDDD.js', type: 'chunk', imports: ['assets/shared-BBBBBBBB.js'], dynamicImports: [],
      importedCss: new Set(['assets/maplibre-view-GGGGGGGG.css']), text: 'export class V{}',
    },
    { fileName: 'assets/webgl-EEEEEEEE.js', type: 'chunk', imports: [], dynamicImports: ['assets/cesium-view-HHHHHHHH.js'], text: '' },
    { fileName: 'assets/maplibre-gl-worker-FFFFFFFF.mjs', type: 'asset', text: 'self.onmessage=()=>{}' },
    { fileName: 'assets/mobile-CCCCCCCC.css', type: 'asset', text: '@font-face{src:url(./noto-IIIIIIII.woff2) format("woff2")} .x{background:url(data:image/png;base64,AAA)}' },
    { fileName: 'assets/noto-IIIIIIII.woff2', type: 'asset', text: null },
    { fileName: 'assets/maplibre-view-GGGGGGGG.css', type: 'asset', text: '.maplibregl-map{}' },
    // Other pages and Cesium: never in the phone's precache.
    { fileName: '3d.html', type: 'asset', text: '<script type="module" src="/assets/3d-JJJJJJJJ.js"></script>' },
    { fileName: 'assets/3d-JJJJJJJJ.js', type: 'chunk', imports: ['assets/cesium-view-HHHHHHHH.js'], dynamicImports: [], text: '' },
    { fileName: 'assets/cesium-view-HHHHHHHH.js', type: 'chunk', imports: [], dynamicImports: [], text: 'const u="/cesium/Workers/x.js"' },
    { fileName: 'assets/map-KKKKKKKK.js', type: 'chunk', imports: ['assets/shared-BBBBBBBB.js'], dynamicImports: [], text: '' },
    { fileName: 'assets/mobile-AAAAAAAA.js.map', type: 'asset', text: '{}' },
  ];
  return new Map(files.map((f) => [f.fileName, f]));
}

describe('precache manifest of the phone page', () => {
  it('holds the HTML and everything reachable from it: chunks, dynamic imports, CSS, worker, fonts', () => {
    expect(pageFiles('mobile.html', bundle())).toEqual([
      'mobile.html',
      'assets/mobile-AAAAAAAA.js',
      'assets/shared-BBBBBBBB.js',
      'assets/mobile-CCCCCCCC.css',
      'assets/maplibre-view-DDDDDDDD.js',
      'assets/webgl-EEEEEEEE.js',
      'assets/maplibre-gl-worker-FFFFFFFF.mjs',
      'assets/noto-IIIIIIII.woff2',
      'assets/maplibre-view-GGGGGGGG.css',
    ]);
  });

  it('never holds Cesium, other pages, their chunks or source maps', () => {
    const files = pageFiles('mobile.html', bundle());
    expect(files.some((f) => /cesium/i.test(f))).toBe(false);
    expect(files).not.toContain('3d.html');
    expect(files).not.toContain('assets/3d-JJJJJJJJ.js');
    expect(files).not.toContain('assets/map-KKKKKKKK.js');
    expect(files.some((f) => f.endsWith('.map'))).toBe(false);
  });

  it('gives the HTML a content revision and hashed files none', () => {
    const m = precacheManifest('mobile.html', bundle(), (f) => `rev-of-${f}`);
    expect(m[0]).toEqual({ url: '/mobile.html', revision: 'rev-of-mobile.html' });
    expect(m.slice(1).every((e) => e.url.startsWith('/assets/') && e.revision === null)).toBe(true);
    expect(new Set(m.map((e) => e.url)).size).toBe(m.length);
  });

  it('a changed page is a changed manifest', () => {
    const a = precacheManifest('mobile.html', bundle(), (f) => (f === 'mobile.html' ? 'v1' : 'x'));
    const b = precacheManifest('mobile.html', bundle(), (f) => (f === 'mobile.html' ? 'v2' : 'x'));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
  });

  it('refuses a page that is not in the build', () => {
    expect(() => pageFiles('nope.html', bundle())).toThrow(/not in the build/);
  });
});

describe('precache helpers', () => {
  it('excludes Cesium, maps and service workers', () => {
    expect(excludedFromPrecache('cesium/Workers/createTask.js')).toBe(true);
    expect(excludedFromPrecache('assets/cesium-view-f8YgYgIe.js')).toBe(true);
    expect(excludedFromPrecache('assets/mobile-BfulLTFK.js.map')).toBe(true);
    expect(excludedFromPrecache('mobile-sw.js')).toBe(true);
    expect(excludedFromPrecache('assets/maplibre-gl-worker-CZtFQQIV.mjs')).toBe(false);
    expect(excludedFromPrecache('assets/mobile-BfulLTFK.js')).toBe(false);
  });

  it('knows hashed names', () => {
    expect(hasContentHash('assets/mobile-BfulLTFK.js')).toBe(true);
    expect(hasContentHash('assets/app-B2ctr-OT.css')).toBe(true);
    expect(hasContentHash('mobile.html')).toBe(false);
  });

  it('resolves references relative to the referring file and ignores data:, blob: and other hosts', () => {
    const known = new Set(['assets/a-12345678.js', 'assets/f-12345678.woff2', 'mobile.html']);
    expect(referencedFiles('assets/x.js', 'import"./a-12345678.js";fetch("https://cdn.example/a-12345678.js")', known)).toEqual(['assets/a-12345678.js']);
    expect(referencedFiles('assets/x.css', 'src:url("../assets/f-12345678.woff2?v=1#x"),url(blob:x),url(data:font/woff2;base64,AA)', known)).toEqual(['assets/f-12345678.woff2']);
    expect(referencedFiles('index.html', '<a href="/mobile.html">', known)).toEqual(['mobile.html']);
  });
});
