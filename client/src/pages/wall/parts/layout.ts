// Layout: the root font size follows the screen (rem everywhere), the layout its aspect ratio; the
// camera stands farther back so a target fits the part of the screen the panels leave free.
import { pickLayout, uiScale } from '../params.js';
import type { WallContext } from '../context.js';

/** Apply the scale and layout for the window's size; true when either changed. */
export function applyLayout(ctx: Pick<WallContext, 'params' | 'ui'>): boolean {
  const s = uiScale(innerWidth, innerHeight, ctx.params.scale);
  const l = pickLayout(ctx.params.layout, innerWidth, innerHeight);
  const changed = s !== ctx.ui.scale || l !== ctx.ui.layout;
  ctx.ui.scale = s;
  ctx.ui.layout = l;
  document.documentElement.style.fontSize = `${(16 * s).toFixed(2)}px`;
  document.body.classList.toggle('layout-standard', l === 'standard');
  document.body.classList.toggle('layout-ultrawide', l === 'ultrawide');
  return changed;
}

export function setupLayout(ctx: WallContext): void {
  ctx.act.rangeScale = () => {
    const rem = 16 * ctx.ui.scale;
    const col = (ctx.ui.layout === 'ultrawide' ? 52 : 26) * rem + 0.75 * rem * 2;
    const freeW = Math.max(0.3, 1 - (2 * col) / innerWidth);
    // Cesium's 60° field of view is horizontal on a landscape screen: wider screens see less height.
    const vertical = Math.max(1, innerWidth / innerHeight / (16 / 9));
    // 0.8: the district's near edge (tilted view) stays clear of the columns (the layout test projects it).
    return Math.max(vertical * 0.92, 0.8 / freeW);
  };
}

/** Re-lay out on resize (set up once the page shows its figures). */
export function watchResize(ctx: WallContext): void {
  addEventListener('resize', () => {
    if (!applyLayout(ctx)) return;
    ctx.hooks.layout = ctx.ui.layout;
    ctx.hooks.scale = ctx.ui.scale;
    ctx.act.buildLabels();
    ctx.act.renderRanking();
    ctx.overlay.highlight = { ...ctx.overlay.highlight };
    ctx.overlay.uncovered = { ...ctx.overlay.uncovered };
    ctx.act.render();
    ctx.act.renderTicker();
    void ctx.fx.flyToAsync(ctx.act.targetOf(ctx.state.sel), { duration: 0, heading: 15, pitch: -40, rangeScale: ctx.act.rangeScale() });
  });
}
