// The wall's effects on the Cesium view (client/src/map/map-view.ts WallEffects): flights a page
// can await, a slow orbit around the last target, pulses where cases land and an alert's beacon.
// Only the command-centre wall uses them, so they live beside CesiumView rather than in it; they
// draw into two overlay collections the view keeps above every layer.
import {
  type Billboard,
  BillboardCollection,
  BoundingSphere,
  Cartesian3,
  Color,
  HeadingPitchRange,
  HorizontalOrigin,
  Material,
  Math as CMath,
  Matrix4,
  NearFarScalar,
  PolylineCollection,
  Transforms,
  VerticalOrigin,
  type Viewer,
} from 'cesium';
import type { FlyOptions, FlyTarget, LonLat, PulseOptions, RGBA, WallEffects } from '../map-view.js';
import { zoomToHeight, type CesiumView } from './cesium-view.js';

const toColor = ([r, g, b, a]: RGBA) => Color.fromBytes(r, g, b, a);

interface PulseRecord {
  start: number;
  durationMs: number;
  rings: number;
  periodMs: number;
  color: Color;
  billboards: Billboard[];
  core: Billboard;
  /** Beacons repeat until removed. */
  loop: boolean;
}

export class CesiumWallEffects implements WallEffects {
  private readonly viewer: Viewer;
  private readonly beams: PolylineCollection;
  private readonly pulses: BillboardCollection;
  private pulseList: PulseRecord[] = [];
  private ringImage: HTMLCanvasElement | null = null;
  private dotImage: HTMLCanvasElement | null = null;
  private animating = false;
  private orbitDegPerSec = 0;
  private orbitCenter: Cartesian3 | null = null;
  private flying = false;
  private lastFrame = 0;
  /** Pulses started since the effects were created (for tests and diagnostics). */
  pulseCount = 0;

  constructor(view: CesiumView) {
    this.viewer = view.viewer;
    // Beams under pulses, both over every layer.
    this.beams = view.addOverlay(new PolylineCollection());
    this.pulses = view.addOverlay(new BillboardCollection());
  }

  /** Camera goal for a target: a point on the ground and the distance to it. */
  private goal(target: FlyTarget, rangeScale = 1): { center: Cartesian3; range: number } {
    if ('bbox' in target) {
      const [a, b, c, d] = target.bbox;
      const center = Cartesian3.fromDegrees((a + c) / 2, (b + d) / 2 - (d - b) * 0.08, 0);
      const diag = Cartesian3.distance(Cartesian3.fromDegrees(a, b), Cartesian3.fromDegrees(c, d));
      return { center, range: Math.max(250, diag * 0.95 * rangeScale) };
    }
    return { center: Cartesian3.fromDegrees(target.center[0], target.center[1], 0), range: zoomToHeight(target.zoom ?? 16) * 1.4 * rangeScale };
  }

  /** Fly (or jump) to a target with a chosen heading and pitch; resolves on arrival or when cancelled. */
  flyToAsync(target: FlyTarget, o: FlyOptions = {}): Promise<void> {
    const { center, range } = this.goal(target, o.rangeScale);
    const offset = new HeadingPitchRange(CMath.toRadians(o.heading ?? 15), CMath.toRadians(o.pitch ?? -40), range);
    const sphere = new BoundingSphere(center, 1);
    const camera = this.viewer.camera;
    this.orbitCenter = center;
    camera.cancelFlight();
    if (!o.duration) {
      camera.viewBoundingSphere(sphere, offset);
      camera.lookAtTransform(Matrix4.IDENTITY);
      this.viewer.scene.requestRender();
      return Promise.resolve();
    }
    this.flying = true;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.flying = false;
        this.viewer.scene.requestRender();
        resolve();
      };
      camera.flyToBoundingSphere(sphere, { offset, duration: o.duration, complete: done, cancel: done });
      this.viewer.scene.requestRender();
      this.animate();
    });
  }

  /** Slowly circle the last fly-to target (degrees per second; 0 = stop). */
  setOrbit(degPerSec: number): void {
    this.orbitDegPerSec = degPerSec;
    if (degPerSec) this.animate();
  }

  private imageOf(kind: 'ring' | 'dot'): HTMLCanvasElement {
    const cached = kind === 'ring' ? this.ringImage : this.dotImage;
    if (cached) return cached;
    const size = 128;
    const c = document.createElement('canvas');
    c.width = size;
    c.height = size;
    const g = c.getContext('2d')!;
    const m = size / 2;
    if (kind === 'ring') {
      const grad = g.createRadialGradient(m, m, m * 0.55, m, m, m);
      grad.addColorStop(0, 'rgba(255,255,255,0)');
      grad.addColorStop(0.55, 'rgba(255,255,255,0.95)');
      grad.addColorStop(0.75, 'rgba(255,255,255,0.5)');
      grad.addColorStop(1, 'rgba(255,255,255,0)');
      g.fillStyle = grad;
      g.fillRect(0, 0, size, size);
    } else {
      const grad = g.createRadialGradient(m, m, 0, m, m, m);
      grad.addColorStop(0, 'rgba(255,255,255,1)');
      grad.addColorStop(0.35, 'rgba(255,255,255,0.95)');
      grad.addColorStop(0.6, 'rgba(255,255,255,0.35)');
      grad.addColorStop(1, 'rgba(255,255,255,0)');
      g.fillStyle = grad;
      g.fillRect(0, 0, size, size);
    }
    if (kind === 'ring') this.ringImage = c;
    else this.dotImage = c;
    return c;
  }

  /** Expanding rings where a case lands (seen through buildings), gone after `durationMs`. */
  pulse(lonLat: LonLat, rgba: RGBA, o: PulseOptions = {}): void {
    this.addPulse(lonLat, rgba, o, false);
  }

  /** A pulse that repeats, with a light beam, until `clearBeacon` (an alert's location). */
  beacon(lonLat: LonLat, rgba: RGBA, o: PulseOptions = {}): void {
    this.clearBeacon();
    this.addPulse(lonLat, rgba, o, true);
    const color = toColor(rgba);
    this.beams.add({
      positions: [Cartesian3.fromDegrees(lonLat[0], lonLat[1], 0), Cartesian3.fromDegrees(lonLat[0], lonLat[1], 420)],
      width: 10,
      material: Material.fromType('PolylineGlow', { color, glowPower: 0.25, taperPower: 0.6 }),
    });
  }

  clearBeacon(): void {
    for (const p of this.pulseList.filter((x) => x.loop)) this.removePulse(p);
    this.beams.removeAll();
    this.viewer.scene.requestRender();
  }

  private addPulse(lonLat: LonLat, rgba: RGBA, o: PulseOptions, loop: boolean): void {
    const position = Cartesian3.fromDegrees(lonLat[0], lonLat[1], 3);
    const color = toColor(rgba);
    const size = o.sizePx ?? 90;
    const rings = o.rings ?? 3;
    const common = { position, disableDepthTestDistance: Number.POSITIVE_INFINITY, horizontalOrigin: HorizontalOrigin.CENTER, verticalOrigin: VerticalOrigin.CENTER };
    const billboards = Array.from({ length: rings }, () =>
      this.pulses.add({ ...common, image: this.imageOf('ring'), width: size, height: size, color: color.withAlpha(0), scale: 0.1 }));
    const core = this.pulses.add({ ...common, image: this.imageOf('dot'), width: Math.round(size * 0.28), height: Math.round(size * 0.28), color,
      scaleByDistance: new NearFarScalar(500, 1.3, 20_000, 0.8) });
    this.pulseList.push({ start: performance.now(), durationMs: o.durationMs ?? 3600, rings, periodMs: 1400, color, billboards, core, loop });
    this.pulseCount++;
    this.animate();
  }

  private removePulse(p: PulseRecord): void {
    for (const b of p.billboards) this.pulses.remove(b);
    this.pulses.remove(p.core);
    this.pulseList = this.pulseList.filter((x) => x !== p);
  }

  /** Active pulses and beacons (for tests). */
  get activePulses(): number {
    return this.pulseList.length;
  }

  /** One animation loop for pulses and the orbit; it stops when there is nothing to animate. */
  private animate(): void {
    if (this.animating) return;
    this.animating = true;
    this.lastFrame = performance.now();
    const frame = () => {
      if (this.viewer.isDestroyed()) return;
      const now = performance.now();
      const dt = Math.min(0.25, (now - this.lastFrame) / 1000);
      this.lastFrame = now;
      for (const p of [...this.pulseList]) {
        const age = now - p.start;
        if (!p.loop && age > p.durationMs) {
          this.removePulse(p);
          continue;
        }
        p.billboards.forEach((b, k) => {
          const phase = ((age - (k * p.periodMs) / p.rings) % p.periodMs) / p.periodMs;
          const started = age >= (k * p.periodMs) / p.rings && (p.loop || age < p.durationMs - p.periodMs * 0.2 + (k * p.periodMs) / p.rings);
          b.scale = 0.15 + phase * 1.0;
          b.color = p.color.withAlpha(started ? Math.max(0, 1 - phase) * 0.95 : 0);
        });
        const fade = p.loop ? 1 : Math.max(0, Math.min(1, (p.durationMs - age) / 600));
        p.core.color = p.color.withAlpha(fade);
      }
      if (this.orbitDegPerSec && this.orbitCenter && !this.flying) {
        const camera = this.viewer.camera;
        camera.lookAtTransform(Transforms.eastNorthUpToFixedFrame(this.orbitCenter));
        camera.rotateRight(CMath.toRadians(this.orbitDegPerSec * dt));
        camera.lookAtTransform(Matrix4.IDENTITY);
      }
      this.viewer.scene.requestRender();
      if (this.pulseList.length || this.flying || (this.orbitDegPerSec && this.orbitCenter)) requestAnimationFrame(frame);
      else this.animating = false;
    };
    requestAnimationFrame(frame);
  }
}
