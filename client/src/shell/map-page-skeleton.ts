// The one page skeleton of the map pages (client/map.html, client/3d.html): the top bar, the map
// container, the loading veil, the left column (district summary, layer toggles, the page's own
// sections) and the right column (info panel, 实时事件 feed). A page's HTML holds only what differs,
// as <template data-gc-slot="…"> blocks; at build (and in the dev server) the Vite plugin in
// vite.config.ts calls fillMapPageSkeleton, so the served HTML is static and complete before any
// script runs. Pure string work, no DOM: it runs in Node under Vite.

/** The slots a map page fills; `after` (after the columns, e.g. an attribution line) may be left out. */
export const MAP_PAGE_SLOTS = ['map', 'loading', 'summary', 'sections', 'after'] as const;
export type MapPageSlot = (typeof MAP_PAGE_SLOTS)[number];
const OPTIONAL: readonly MapPageSlot[] = ['after'];

const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%23c8102e'/%3E%3Cpath d='M8 8h16v16H8z' fill='none' stroke='%23ffe7a6' stroke-width='2.5'/%3E%3Cpath d='M16 8v16M8 16h16' stroke='%23ffe7a6' stroke-width='2'/%3E%3C/svg%3E";

const HEAD = `    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <link rel="icon" href="${ICON}" />
`;

const BODY = `    <header id="app-header"></header>
    {{map}}
    <div class="gc-loading" aria-hidden="true"><div><div class="spinner"></div>{{loading}}</div></div>

    <aside class="gc-col left">
      <div class="gc-panel gc-scroll" id="left-panel">
        <section class="gc-section gc-summary">
          <h2><span id="district-name">—</span><span class="badge" id="district-synthetic" hidden>合成数据</span></h2>
          {{summary}}
        </section>
        <section class="gc-section">
          <h3>图层</h3>
          <ul class="gc-toggles" id="layer-toggles"></ul>
        </section>
        {{sections}}
      </div>
    </aside>

    <aside class="gc-col right">
      <section id="info-panel" class="gc-panel" hidden aria-live="polite"></section>
      <div class="gc-panel gc-feed" id="feed-panel">
        <section class="gc-section">
          <h3>实时事件 <span class="badge" id="feed-synthetic" hidden>示意</span><span class="spacer"></span><span class="gc-count" id="feed-count">0</span></h3>
          <ul id="incident-feed" class="gc-scroll" aria-live="polite"></ul>
        </section>
      </div>
    </aside>
    {{after}}
`;

const SLOT_RE = /[ \t]*<template data-gc-slot="([^"]*)">([\s\S]*?)<\/template>[ \t]*\n?/g;

/**
 * The page's HTML with its slots placed in the shared skeleton; HTML without slots is returned as
 * it is (every other page). An unknown, repeated or missing slot throws, so a typo fails the build.
 */
export function fillMapPageSkeleton(html: string): string {
  const slots = new Map<MapPageSlot, string>();
  let found = false;
  const rest = html.replace(SLOT_RE, (_m, name: string, content: string) => {
    found = true;
    if (!(MAP_PAGE_SLOTS as readonly string[]).includes(name)) throw new Error(`map page skeleton: unknown slot "${name}"`);
    if (slots.has(name as MapPageSlot)) throw new Error(`map page skeleton: slot "${name}" given twice`);
    slots.set(name as MapPageSlot, content.trim());
    return '';
  });
  if (!found) return html;
  for (const s of MAP_PAGE_SLOTS) if (!slots.has(s) && !OPTIONAL.includes(s)) throw new Error(`map page skeleton: slot "${s}" missing`);
  const body = BODY.replace(/\{\{(\w+)\}\}/g, (_m, name: MapPageSlot) => slots.get(name) ?? '');
  const bodyOpen = /<body[^>]*>\n?/.exec(rest);
  if (!bodyOpen || !rest.includes('</head>')) throw new Error('map page skeleton: the page needs <head> and <body>');
  const at = bodyOpen.index + bodyOpen[0].length;
  return (rest.slice(0, at) + body + rest.slice(at)).replace('</head>', `${HEAD}  </head>`);
}
