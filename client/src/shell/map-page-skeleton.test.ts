import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fillMapPageSkeleton } from './map-page-skeleton.js';

const page = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');
const ids = (html: string) => [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]).sort();

describe('map page skeleton', () => {
  it('fills map.html and 3d.html into one skeleton that differs only in their slots', () => {
    const map = fillMapPageSkeleton(page('map.html'));
    const city = fillMapPageSkeleton(page('3d.html'));
    for (const html of [map, city]) {
      expect(html).not.toContain('data-gc-slot');
      expect(html).not.toContain('{{');
      for (const id of ['app-header', 'district-name', 'district-synthetic', 'layer-toggles', 'legend', 'info-panel', 'feed-panel', 'incident-feed', 'feed-count', 'sum-grids', 'sum-inc'])
        expect(html, id).toContain(`id="${id}"`);
      expect(html).toMatch(/<head>[\s\S]*name="viewport"[\s\S]*rel="icon"[\s\S]*<\/head>/);
      expect(html.indexOf('id="app-header"')).toBeLessThan(html.indexOf('<script type="module"'));
    }
    expect(map).toContain('<div id="map" class="gc-map"');
    expect(map).toContain('地图加载中…');
    expect(ids(map)).toEqual(expect.arrayContaining(['class-toggles', 'sum-hh', 'district-sub', 'case-legend-section', 'case-legend']));
    expect(city).toContain('<div id="globe" class="gc-map"');
    expect(ids(city)).toEqual(expect.arrayContaining(['attribution', 'sum-buildings', 'grid-legend', 'case-legend-section', 'case-legend']));
    expect(new Set(ids(map)).size).toBe(ids(map).length);
    expect(new Set(ids(city)).size).toBe(ids(city).length);
  });

  it('leaves other pages alone and refuses unknown or missing slots', () => {
    const other = page('dispatch.html');
    expect(fillMapPageSkeleton(other)).toBe(other);
    const html = (slots: string) => `<html><head></head><body>\n${slots}</body></html>`;
    const all = ['map', 'loading', 'summary', 'sections'].map((s) => `<template data-gc-slot="${s}">x</template>\n`).join('');
    expect(() => fillMapPageSkeleton(html(all))).not.toThrow();
    expect(() => fillMapPageSkeleton(html(`${all}<template data-gc-slot="legend">x</template>\n`))).toThrow(/unknown slot "legend"/);
    expect(() => fillMapPageSkeleton(html(all.replace('"summary"', '"map"')))).toThrow(/given twice/);
    expect(() => fillMapPageSkeleton(html('<template data-gc-slot="map">x</template>\n'))).toThrow(/slot "loading" missing/);
  });
});
