// Cesium adapter: the 3D city. Offline only — no Ion, no remote imagery, no remote terrain.
// Extruded polygons become one batched Primitive. Flat polygons lie on the ground: the terrain is
// the WGS84 ellipsoid, so they are ordinary Primitives a few decimetres above it (stacked per
// layer), with polyline outlines. (GroundPrimitive classification was tried and, with SwiftShader,
// intermittently drew nothing until another ground primitive was created; plain geometry is exact
// on the ellipsoid and cheaper.) Points and labels use collections. The wall's pulses, beacon,
// orbit and awaited flights are a module of their own (wall-effects.ts, behind map-view.ts WallEffects).
import './base-url.js';
import {
  ArcType,
  BillboardCollection,
  BoundingSphere,
  Cartesian2,
  Cartesian3,
  Color,
  ColorGeometryInstanceAttribute,
  Credit,
  DirectionalLight,
  DistanceDisplayCondition,
  EllipsoidSurfaceAppearance,
  EllipsoidTerrainProvider,
  GeometryInstance,
  HeadingPitchRange,
  HorizontalOrigin,
  Ion,
  LabelCollection,
  LabelStyle,
  Material,
  Math as CMath,
  Matrix4,
  PerInstanceColorAppearance,
  PointPrimitiveCollection,
  PolygonGeometry,
  PolygonHierarchy,
  PolylineCollection,
  PolylineColorAppearance,
  PolylineGeometry,
  Primitive,
  PrimitiveCollection,
  Rectangle,
  RectangleGeometry,
  SceneTransforms,
  ScreenSpaceEventHandler,
  ScreenSpaceEventType,
  Transforms,
  VerticalOrigin,
  Viewer,
} from 'cesium';
import 'cesium/Build/Cesium/Widgets/widgets.css';
import type { Position } from 'geojson';
import {
  resolveAccessor,
  type BBox,
  type FlyTarget,
  type HeatLayerSpec,
  type HeatRaster,
  type LabelLayerSpec,
  type LayerSpec,
  type LineLayerSpec,
  type LonLat,
  type MapClickEvent,
  type MapView,
  type PointLayerSpec,
  type PolygonLayerSpec,
  type RGBA,
} from '../map-view.js';

// No Cesium ion: nothing may call home.
Ion.defaultAccessToken = '';

export interface CesiumViewOptions {
  container: HTMLElement;
  bbox: BBox;
  attribution: string;
  /** Optional scene colours (CSS): the sky and the bare ground. */
  style?: { background?: string; ground?: string };
  /**
   * Features reported per click, topmost first (default 4). Each is one pick pass: a touch screen
   * that only needs the topmost feature answers faster with 1.
   */
  pickDepth?: number;
  /** Pick under the moving mouse to show a pointer cursor (default true; a wall has no mouse). */
  hoverCursor?: boolean;
}

interface PickId {
  layerId: string;
  id: string | number | null;
  properties: Record<string, unknown>;
}

interface LayerRecord {
  spec: LayerSpec;
  data: unknown;
  /** Everything drawn for this layer lives in one collection, so show/remove is one call. */
  collection: PrimitiveCollection;
  /** Primitives whose asynchronous geometry must finish before the layer counts as drawn. */
  pending: Primitive[];
  /** Flat polygon fills: the primitive and, per instance, its id and feature (for recolouring in place). */
  fill?: { prim: Primitive; translucent: boolean; instances: { id: PickId; feature: number }[] };
  /** A draped heat image: two canvases used in turn (a new uniform value makes Cesium upload it). */
  heat?: { material: Material; canvases: [HTMLCanvasElement, HTMLCanvasElement]; next: 0 | 1; version: number; width: number; height: number; bbox: string };
}

/** One expanding ring of a pulse, or a beacon's. */
const LABEL_FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

const toColor = ([r, g, b, a]: RGBA) => Color.fromBytes(r, g, b, a);

/** Rough camera height (m) that corresponds to a web-mercator zoom, for zoom-ranged layers. */
export function zoomToHeight(z: number): number {
  return 35_200_000 / 2 ** z;
}

/** Drop a repeated closing vertex and consecutive duplicates (Cesium dislikes zero-length edges). */
function cleanRing(ring: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of ring) {
    const q = out[out.length - 1];
    if (!q || Math.abs(q[0]! - p[0]!) > 1e-9 || Math.abs(q[1]! - p[1]!) > 1e-9) out.push(p);
  }
  if (out.length > 1) {
    const a = out[0]!;
    const b = out[out.length - 1]!;
    if (Math.abs(a[0]! - b[0]!) < 1e-9 && Math.abs(a[1]! - b[1]!) < 1e-9) out.pop();
  }
  return out;
}

function ringToCartesians(ring: Position[], height = 0): Cartesian3[] {
  return ring.map((p) => Cartesian3.fromDegrees(p[0]!, p[1]!, height));
}

function polygonsOf(geometry: { type: string; coordinates: unknown }): Position[][][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates as Position[][]];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates as Position[][][];
  return [];
}

function linesOf(geometry: { type: string; coordinates: unknown }): Position[][] {
  if (geometry.type === 'LineString') return [geometry.coordinates as Position[]];
  if (geometry.type === 'MultiLineString') return geometry.coordinates as Position[][];
  if (geometry.type === 'Polygon') return geometry.coordinates as Position[][];
  if (geometry.type === 'MultiPolygon') return (geometry.coordinates as Position[][][]).flat();
  return [];
}

export class CesiumView implements MapView {
  readonly engine = 'cesium' as const;
  readonly viewer: Viewer;
  private layers = new Map<string, LayerRecord>();
  private clickHandlers = new Set<(e: MapClickEvent) => void>();
  private handler: ScreenSpaceEventHandler;
  /** Stacking order of flat layers: each gets its own height above the ellipsoid (no z-fighting). */
  private flatLevels = new Map<string, number>();
  /** Primitives drawn over every layer (client/src/map/cesium/wall-effects.ts), in the order added. */
  private overlays: (BillboardCollection | PolylineCollection)[] = [];

  constructor(private readonly opts: CesiumViewOptions) {
    this.viewer = new Viewer(opts.container, {
      baseLayer: false,
      baseLayerPicker: false,
      geocoder: false,
      homeButton: false,
      sceneModePicker: false,
      navigationHelpButton: false,
      animation: false,
      timeline: false,
      fullscreenButton: false,
      infoBox: false,
      selectionIndicator: false,
      vrButton: false,
      terrainProvider: new EllipsoidTerrainProvider(),
      skyBox: false,
      skyAtmosphere: false,
      requestRenderMode: true,
      maximumRenderTimeChange: Infinity,
      contextOptions: { webgl: { preserveDrawingBuffer: true, alpha: false, antialias: true } },
    });
    const scene = this.viewer.scene;
    scene.backgroundColor = Color.fromCssColorString(opts.style?.background ?? '#04070d');
    scene.globe.baseColor = Color.fromCssColorString(opts.style?.ground ?? '#0a1322');
    scene.globe.showGroundAtmosphere = false;
    scene.globe.enableLighting = false;
    scene.globe.depthTestAgainstTerrain = false;
    scene.fog.enabled = false;
    if (scene.sun) scene.sun.show = false;
    if (scene.moon) scene.moon.show = false;
    scene.highDynamicRange = false;
    scene.screenSpaceCameraController.minimumZoomDistance = 30;
    scene.screenSpaceCameraController.maximumZoomDistance = 60_000;
    // A fixed "late-morning sun" from the south-east so towers read as volumes at any clock time.
    const [a, b, c, d] = opts.bbox;
    const enu = Transforms.eastNorthUpToFixedFrame(Cartesian3.fromDegrees((a + c) / 2, (b + d) / 2));
    const dir = Matrix4.multiplyByPointAsVector(enu, new Cartesian3(-0.45, 0.55, -0.7), new Cartesian3());
    scene.light = new DirectionalLight({ direction: Cartesian3.normalize(dir, dir), intensity: 2.4 });
    this.viewer.creditDisplay.addStaticCredit(new Credit(opts.attribution, true));

    this.handler = new ScreenSpaceEventHandler(scene.canvas);
    this.handler.setInputAction((e: { position: Cartesian2 }) => this.handleClick(e.position), ScreenSpaceEventType.LEFT_CLICK);
    if (opts.hoverCursor !== false) {
      this.handler.setInputAction((e: { endPosition: Cartesian2 }) => this.handleHover(e.endPosition), ScreenSpaceEventType.MOUSE_MOVE);
    }

    this.flyTo({ bbox: opts.bbox }, { animate: false });
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  setLayers(specs: LayerSpec[]): void {
    const keep = new Set(specs.map((s) => s.id));
    for (const [id, rec] of this.layers) {
      if (keep.has(id)) continue;
      this.viewer.scene.primitives.remove(rec.collection);
      this.layers.delete(id);
    }
    specs.forEach((spec) => {
      let rec = this.layers.get(spec.id);
      if (rec && rec.data === spec.data && this.updateInPlace(rec, spec)) {
        // recoloured or re-imaged without rebuilding
      } else if (!rec || rec.data !== spec.data || this.needsRebuild(rec.spec, spec)) {
        if (rec) this.viewer.scene.primitives.remove(rec.collection);
        rec = this.build(spec);
        this.layers.set(spec.id, rec);
        this.viewer.scene.primitives.add(rec.collection);
      }
      rec.spec = spec;
      rec.collection.show = spec.visible !== false;
    });
    // Keep collections in spec order (later = drawn later / on top for ground primitives).
    for (const spec of specs) {
      const rec = this.layers.get(spec.id)!;
      this.viewer.scene.primitives.raiseToTop(rec.collection);
    }
    for (const o of this.overlays) this.viewer.scene.primitives.raiseToTop(o);
    this.kick();
  }

  /**
   * Changes that need no rebuild: a polygon layer whose colorKey changed (recolour each instance
   * of the built primitive), a heat image whose pixels changed (upload a new texture). False when
   * the layer must be rebuilt instead.
   */
  private updateInPlace(rec: LayerRecord, spec: LayerSpec): boolean {
    const old = rec.spec;
    if (old.kind !== spec.kind) return false;
    if (spec.kind === 'heat' && old.kind === 'heat') {
      if (!spec.raster || !rec.heat) return !spec.raster && !old.raster && !this.needsRebuild(old, spec);
      const r = spec.raster;
      if (r.width !== rec.heat.width || r.height !== rec.heat.height || r.bbox.join() !== rec.heat.bbox) return false;
      if (r.version !== rec.heat.version) this.drawHeat(rec, r);
      return true;
    }
    if (spec.kind === 'polygons' && old.kind === 'polygons' && spec.colorKey !== undefined && old.colorKey !== undefined && !spec.extrude) {
      if (spec.colorKey === old.colorKey) return true;
      const fill = rec.fill;
      if (!fill || !fill.prim.ready || fill.prim.isDestroyed()) return false;
      const colors = spec.data.features.map((f) => resolveAccessor(spec.fillColor, (f.properties ?? {}) as Record<string, unknown>));
      const translucent = colors.some((c) => c[3] < 255);
      if (translucent !== fill.translucent || colors.some((c) => c[3] === 0)) return false;
      for (const inst of fill.instances) {
        const attrs = fill.prim.getGeometryInstanceAttributes(inst.id) as { color?: Uint8Array } | undefined;
        if (attrs) attrs.color = ColorGeometryInstanceAttribute.toValue(toColor(colors[inst.feature]!), attrs.color);
      }
      return true;
    }
    return false;
  }

  private needsRebuild(a: LayerSpec, b: LayerSpec): boolean {
    if (a.kind !== b.kind) return true;
    if (a.kind === 'polygons' && b.kind === 'polygons') return a.fillColor !== b.fillColor || a.lineColor !== b.lineColor;
    if (a.kind === 'points' && b.kind === 'points') return a.color !== b.color || a.radius !== b.radius;
    if (a.kind === 'lines' && b.kind === 'lines') return a.color !== b.color || a.width !== b.width;
    return false;
  }

  private build(spec: LayerSpec): LayerRecord {
    const collection = new PrimitiveCollection();
    const rec: LayerRecord = { spec, data: spec.data, collection, pending: [] };
    switch (spec.kind) {
      case 'polygons':
        if (spec.extrude) this.buildExtruded(spec, rec);
        else this.buildDraped(spec, rec);
        break;
      case 'lines':
        this.buildLines(spec, rec);
        break;
      case 'points':
        this.buildPoints(spec, rec);
        break;
      case 'labels':
        this.buildLabels(spec, rec);
        break;
      case 'heat':
        // Heat maps given as points are a 2D view (the 3D scene shows the points instead); a
        // pre-computed image is draped on the ground.
        if (spec.raster) this.buildHeat(spec, rec);
        break;
    }
    return rec;
  }

  private pickId(spec: PolygonLayerSpec<any>, p: Record<string, unknown>, i: number): PickId {
    return { layerId: spec.id, id: spec.idOf ? spec.idOf(p) : i, properties: p };
  }

  private buildExtruded(spec: PolygonLayerSpec<any>, rec: LayerRecord): void {
    const instances: GeometryInstance[] = [];
    spec.data.features.forEach((f, i) => {
      const p = (f.properties ?? {}) as Record<string, unknown>;
      const top = spec.extrude!.height(p);
      const base = spec.extrude!.base?.(p) ?? 0;
      if (!(top > base)) return;
      const color = ColorGeometryInstanceAttribute.fromColor(toColor(resolveAccessor(spec.fillColor, p)));
      for (const poly of polygonsOf(f.geometry)) {
        const outer = cleanRing(poly[0] ?? []);
        if (outer.length < 3) continue;
        const holes = poly.slice(1).map(cleanRing).filter((r) => r.length >= 3).map((r) => new PolygonHierarchy(ringToCartesians(r)));
        instances.push(
          new GeometryInstance({
            geometry: new PolygonGeometry({
              polygonHierarchy: new PolygonHierarchy(ringToCartesians(outer), holes),
              height: base,
              extrudedHeight: top,
              vertexFormat: PerInstanceColorAppearance.VERTEX_FORMAT,
            }),
            attributes: { color },
            id: this.pickId(spec, p, i),
          }),
        );
      }
    });
    if (instances.length === 0) return;
    const prim = new Primitive({
      geometryInstances: instances,
      appearance: new PerInstanceColorAppearance({ translucent: false, closed: true }),
      releaseGeometryInstances: true,
      asynchronous: true,
      // Layers that are not pickable cost no pick pass and never hide what is under them.
      allowPicking: spec.pickable === true,
    });
    rec.collection.add(prim);
    rec.pending.push(prim);
  }

  /** Height (m) of a flat layer above the ellipsoid: later layers sit slightly higher. */
  private flatHeight(layerId: string): number {
    if (!this.flatLevels.has(layerId)) this.flatLevels.set(layerId, this.flatLevels.size);
    return 0.3 + 0.4 * this.flatLevels.get(layerId)!;
  }

  private buildDraped(spec: PolygonLayerSpec<any>, rec: LayerRecord): void {
    const fills: GeometryInstance[] = [];
    const outlines: GeometryInstance[] = [];
    const lineWidth = spec.lineWidth ?? 1;
    const h = this.flatHeight(spec.id);
    let translucent = false;
    const fillIds: { id: PickId; feature: number }[] = [];
    spec.data.features.forEach((f, i) => {
      const p = (f.properties ?? {}) as Record<string, unknown>;
      const id = this.pickId(spec, p, i);
      const fill = resolveAccessor(spec.fillColor, p);
      const line: RGBA = resolveAccessor(spec.lineColor ?? [255, 255, 255, 180], p);
      if (fill[3] < 255) translucent = true;
      for (const poly of polygonsOf(f.geometry)) {
        const outer = cleanRing(poly[0] ?? []);
        if (outer.length < 3) continue;
        const holes = poly.slice(1).map(cleanRing).filter((r) => r.length >= 3);
        if (fill[3] > 0) {
          // Each part its own id object: Cesium finds per-instance attributes by id identity.
          const partId = { ...id };
          fillIds.push({ id: partId, feature: i });
          fills.push(
            new GeometryInstance({
              geometry: new PolygonGeometry({
                polygonHierarchy: new PolygonHierarchy(ringToCartesians(outer), holes.map((r) => new PolygonHierarchy(ringToCartesians(r)))),
                vertexFormat: PerInstanceColorAppearance.FLAT_VERTEX_FORMAT,
                height: h,
              }),
              attributes: { color: ColorGeometryInstanceAttribute.fromColor(toColor(fill)) },
              id: partId,
            }),
          );
        }
        if (lineWidth > 0 && line[3] > 0) {
          for (const ring of [outer, ...holes]) {
            outlines.push(
              new GeometryInstance({
                geometry: new PolylineGeometry({
                  positions: ringToCartesians([...ring, ring[0]!], h + 0.3),
                  width: lineWidth,
                  vertexFormat: PolylineColorAppearance.VERTEX_FORMAT,
                  arcType: ArcType.NONE,
                }),
                attributes: { color: ColorGeometryInstanceAttribute.fromColor(toColor(line)) },
                id,
              }),
            );
          }
        }
      }
    });
    if (fills.length) {
      const prim = new Primitive({
        geometryInstances: fills,
        appearance: new PerInstanceColorAppearance({ flat: true, translucent }),
        asynchronous: true,
        releaseGeometryInstances: true,
        allowPicking: spec.pickable === true,
      });
      rec.collection.add(prim);
      rec.pending.push(prim);
      rec.fill = { prim, translucent, instances: fillIds };
    }
    if (outlines.length) {
      const prim = new Primitive({
        geometryInstances: outlines,
        appearance: new PolylineColorAppearance({ translucent: true }),
        asynchronous: true,
        releaseGeometryInstances: true,
        allowPicking: spec.pickable === true,
      });
      rec.collection.add(prim);
      rec.pending.push(prim);
    }
  }

  private buildLines(spec: LineLayerSpec<any>, rec: LayerRecord): void {
    const instances: GeometryInstance[] = [];
    spec.data.features.forEach((f, i) => {
      const p = (f.properties ?? {}) as Record<string, unknown>;
      const color = ColorGeometryInstanceAttribute.fromColor(toColor(resolveAccessor(spec.color, p)));
      const width = resolveAccessor(spec.width, p);
      for (const line of linesOf(f.geometry)) {
        if (line.length < 2) continue;
        instances.push(
          new GeometryInstance({
            geometry: new PolylineGeometry({
              positions: ringToCartesians(line, 0.6),
              width,
              vertexFormat: PolylineColorAppearance.VERTEX_FORMAT,
              arcType: ArcType.NONE,
            }),
            attributes: { color },
            id: { layerId: spec.id, id: i, properties: p } satisfies PickId,
          }),
        );
      }
    });
    if (!instances.length) return;
    const prim = new Primitive({
      geometryInstances: instances,
      appearance: new PolylineColorAppearance({ translucent: true }),
      asynchronous: true,
      releaseGeometryInstances: true,
      allowPicking: spec.pickable === true,
    });
    rec.collection.add(prim);
    rec.pending.push(prim);
  }

  private buildPoints(spec: PointLayerSpec<any>, rec: LayerRecord): void {
    const points = new PointPrimitiveCollection();
    const far = spec.minZoom !== undefined ? zoomToHeight(spec.minZoom) : Number.MAX_VALUE;
    for (const d of spec.data) {
      points.add({
        position: Cartesian3.fromDegrees(d.position[0], d.position[1], 4),
        color: toColor(resolveAccessor(spec.color, d)),
        pixelSize: resolveAccessor(spec.radius, d) * 2,
        outlineColor: toColor(spec.strokeColor ?? [255, 255, 255, 230]),
        outlineWidth: spec.strokeWidth ?? 1,
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
        distanceDisplayCondition: new DistanceDisplayCondition(0, far),
        id: { layerId: spec.id, id: d.id, properties: d.properties as Record<string, unknown> } satisfies PickId,
      });
    }
    rec.collection.add(points);
  }

  private buildLabels(spec: LabelLayerSpec, rec: LayerRecord): void {
    const labels = new LabelCollection();
    const far = spec.minZoom !== undefined ? zoomToHeight(spec.minZoom) : Number.MAX_VALUE;
    const near = spec.maxZoom !== undefined ? zoomToHeight(spec.maxZoom) : 0;
    for (const d of spec.data) {
      const size = d.size ?? spec.size ?? 13;
      labels.add({
        position: Cartesian3.fromDegrees(d.position[0], d.position[1], spec.height ?? 20),
        text: d.text,
        font: `${spec.weight ?? 600} ${size}px ${LABEL_FONT_FAMILY}`,
        ...(spec.background
          ? { showBackground: true, backgroundColor: toColor(spec.background), backgroundPadding: new Cartesian2(Math.round(size * 0.45), Math.round(size * 0.22)) }
          : {}),
        fillColor: toColor(d.color ?? spec.color ?? [230, 237, 247, 255]),
        outlineColor: toColor(spec.haloColor ?? [4, 8, 16, 230]),
        outlineWidth: 3,
        style: LabelStyle.FILL_AND_OUTLINE,
        horizontalOrigin: HorizontalOrigin.CENTER,
        verticalOrigin: VerticalOrigin.CENTER,
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
        distanceDisplayCondition: new DistanceDisplayCondition(near, far),
      });
    }
    rec.collection.add(labels);
  }

  /** A heat image on a rectangle just above the flat layers below it (never pickable). */
  private buildHeat(spec: HeatLayerSpec, rec: LayerRecord): void {
    const r = spec.raster!;
    const make = () => {
      const c = document.createElement('canvas');
      c.width = r.width;
      c.height = r.height;
      return c;
    };
    const canvases: [HTMLCanvasElement, HTMLCanvasElement] = [make(), make()];
    // Transparent until the canvas is on the GPU: before that Cesium samples its white default
    // texture, which would flash a white rectangle over the city for a frame or more.
    const material = Material.fromType('Image', { image: canvases[0], color: new Color(1, 1, 1, 0) });
    let frames = 0;
    const stop = this.viewer.scene.postRender.addEventListener(() => {
      if (rec.heat?.material !== material) return stop();
      if (++frames >= 2) {
        material.uniforms.color = Color.WHITE;
        stop();
      }
      this.viewer.scene.requestRender();
    });
    rec.heat = { material, canvases, next: 0, version: -1, width: r.width, height: r.height, bbox: r.bbox.join() };
    this.drawHeat(rec, r);
    const [w, s, e, n] = r.bbox;
    const prim = new Primitive({
      geometryInstances: new GeometryInstance({
        geometry: new RectangleGeometry({
          rectangle: Rectangle.fromDegrees(w, s, e, n),
          height: this.flatHeight(spec.id),
          vertexFormat: EllipsoidSurfaceAppearance.VERTEX_FORMAT,
        }),
      }),
      appearance: new EllipsoidSurfaceAppearance({ material, flat: true, translucent: true, aboveGround: true }),
      asynchronous: false,
      allowPicking: false,
    });
    rec.collection.add(prim);
  }

  private drawHeat(rec: LayerRecord, r: HeatRaster): void {
    const heat = rec.heat!;
    const canvas = heat.canvases[heat.next];
    canvas.getContext('2d')!.putImageData(new ImageData(r.pixels as Uint8ClampedArray<ArrayBuffer>, r.width, r.height), 0, 0);
    heat.material.uniforms.image = canvas;
    heat.next = heat.next === 0 ? 1 : 0;
    heat.version = r.version;
    this.viewer.scene.requestRender();
  }

  /** CSS pixels (relative to the canvas) of a ground point, or null when it is behind the camera. */
  project(lon: number, lat: number, height = 0): [number, number] | null {
    const p = SceneTransforms.worldToWindowCoordinates(this.viewer.scene, Cartesian3.fromDegrees(lon, lat, height));
    return p ? [p.x, p.y] : null;
  }

  private pickAt(position: Cartesian2): PickId[] {
    const scene = this.viewer.scene;
    const out: PickId[] = [];
    const picked = scene.drillPick(position, this.opts.pickDepth ?? 4) as { id?: unknown }[];
    for (const p of picked) {
      const id = p?.id as PickId | undefined;
      if (!id || typeof id !== 'object' || !('layerId' in id)) continue;
      const rec = this.layers.get(id.layerId);
      if (!rec?.spec.pickable) continue;
      if (!out.some((o) => o.layerId === id.layerId && o.id === id.id)) out.push(id);
    }
    return out;
  }

  private handleClick(position: Cartesian2): void {
    const hits = this.pickAt(position);
    const cart = this.viewer.camera.pickEllipsoid(position);
    let lngLat: [number, number] = [NaN, NaN];
    if (cart) {
      const c = this.viewer.scene.globe.ellipsoid.cartesianToCartographic(cart);
      lngLat = [CMath.toDegrees(c.longitude), CMath.toDegrees(c.latitude)];
    }
    const ev: MapClickEvent = { lngLat, hits: hits.map((h) => ({ layerId: h.layerId, id: h.id, properties: h.properties })) };
    for (const h of this.clickHandlers) h(ev);
  }

  private lastHover = 0;
  private handleHover(position: Cartesian2): void {
    // scene.pick renders a pick pass; throttle it (software GL is slow).
    const now = performance.now();
    if (now - this.lastHover < 120) return;
    this.lastHover = now;
    const picked = this.viewer.scene.pick(position) as { id?: PickId } | undefined;
    const pickable = !!(picked?.id && typeof picked.id === 'object' && 'layerId' in picked.id && this.layers.get(picked.id.layerId)?.spec.pickable);
    this.viewer.scene.canvas.style.cursor = pickable ? 'pointer' : '';
  }

  flyTo(target: FlyTarget, options: { animate?: boolean } = {}): void {
    const camera = this.viewer.camera;
    let center: Cartesian3;
    let range: number;
    if ('bbox' in target) {
      const [a, b, c, d] = target.bbox;
      center = Cartesian3.fromDegrees((a + c) / 2, (b + d) / 2 - (d - b) * 0.08, 0);
      const diag = Cartesian3.distance(Cartesian3.fromDegrees(a, b), Cartesian3.fromDegrees(c, d));
      range = diag * 0.95;
    } else {
      center = Cartesian3.fromDegrees(target.center[0], target.center[1], 0);
      range = zoomToHeight(target.zoom ?? 16) * 1.4;
    }
    const offset = new HeadingPitchRange(CMath.toRadians(15), CMath.toRadians(-40), range);
    const sphere = new BoundingSphere(center, 1);
    if (options.animate === false) {
      camera.viewBoundingSphere(sphere, offset);
      camera.lookAtTransform(Matrix4.IDENTITY);
    } else {
      camera.flyToBoundingSphere(sphere, { offset, duration: 1.6 });
    }
    this.viewer.scene.requestRender();
  }

  /** Adds a collection drawn over every layer (effects of a page, e.g. the wall's pulses). */
  addOverlay<T extends BillboardCollection | PolylineCollection>(collection: T): T {
    this.viewer.scene.primitives.add(collection);
    this.overlays.push(collection);
    return collection;
  }

  onClick(handler: (e: MapClickEvent) => void): () => void {
    this.clickHandlers.add(handler);
    return () => this.clickHandlers.delete(handler);
  }

  onViewChange(handler: (view: { bbox: BBox; zoom: number }) => void): () => void {
    const camera = this.viewer.camera;
    return camera.moveEnd.addEventListener(() => {
      // The ground the camera sees (a tilted view reaches further away than it is wide).
      const r = camera.computeViewRectangle(this.viewer.scene.globe.ellipsoid);
      if (!r) return;
      const bbox: BBox = [CMath.toDegrees(r.west), CMath.toDegrees(r.south), CMath.toDegrees(r.east), CMath.toDegrees(r.north)];
      handler({ bbox, zoom: Math.log2(35_200_000 / Math.max(1, camera.positionCartographic.height)) });
    });
  }

  private allReady(): boolean {
    // Hidden layers are not updated by Cesium (so never become ready) and are not drawn anyway.
    return [...this.layers.values()].every((r) => !r.collection.show || r.pending.every((p) => p.isDestroyed() || p.ready));
  }

  /**
   * requestRenderMode renders only on demand, but asynchronous primitives finish building (and
   * ground primitives create their draw commands) over several frames: keep frames coming until
   * everything is ready, then a few more so the finished picture is on the canvas.
   */
  private settleFrames = 0;
  private settling: (() => void) | null = null;
  private settleWaiters: (() => void)[] = [];
  private kick(): void {
    const scene = this.viewer.scene;
    this.settleFrames = 3;
    if (!this.settling) {
      this.settling = scene.postRender.addEventListener(() => {
        if (!this.allReady()) this.settleFrames = 3;
        else this.settleFrames--;
        if (this.settleFrames > 0) {
          scene.requestRender();
          return;
        }
        this.settling?.();
        this.settling = null;
        const waiters = this.settleWaiters;
        this.settleWaiters = [];
        for (const w of waiters) w();
      });
    }
    scene.requestRender();
  }

  /** Resolves once all layer primitives finished building and frames with them were rendered. */
  rendered(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.settleWaiters.push(resolve);
      this.kick();
    });
  }

  getCanvas(): HTMLCanvasElement {
    return this.viewer.scene.canvas;
  }

  requestRender(): void {
    this.viewer.scene.requestRender();
  }

  destroy(): void {
    this.handler.destroy();
    this.viewer.destroy();
  }
}
