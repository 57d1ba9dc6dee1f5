// deck.gl adapter: renders label and heat specs as a MapboxOverlay inside a maplibre map.
// Labels are deck.gl TextLayers (characterSet 'auto' builds the CJK glyph atlas from local fonts),
// because the base map has no glyph server.
import { MapboxOverlay } from '@deck.gl/mapbox';
import { TextLayer } from '@deck.gl/layers';
import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import type { Layer } from '@deck.gl/core';
import type { HeatLayerSpec, LabelDatum, LabelLayerSpec } from '../map-view.js';

export type DeckSpec = LabelLayerSpec | HeatLayerSpec;

export const LABEL_FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif';

/** Anything maplibre-like that can host an IControl (kept structural so this file needs no maplibre import). */
export interface ControlHost {
  addControl(control: unknown): unknown;
  removeControl(control: unknown): unknown;
}

const HEAT_RANGE: [number, number, number][] = [
  [255, 255, 178],
  [254, 217, 118],
  [254, 178, 76],
  [253, 141, 60],
  [240, 59, 32],
  [189, 0, 38],
];

export class DeckLayers {
  readonly overlay: MapboxOverlay;
  private specs: DeckSpec[] = [];
  private zoom = 0;
  private lastSignature = '';

  constructor(host: ControlHost, opts: { interleaved?: boolean } = {}) {
    this.overlay = new MapboxOverlay({ interleaved: opts.interleaved ?? true, layers: [] });
    host.addControl(this.overlay);
  }

  setSpecs(specs: DeckSpec[]): void {
    this.specs = specs;
    this.render(true);
  }

  /** Called on zoom changes; re-renders only when a layer crosses its zoom range. */
  setZoom(z: number): void {
    this.zoom = z;
    this.render(false);
  }

  private visible(s: DeckSpec): boolean {
    if (s.visible === false) return false;
    if (s.minZoom !== undefined && this.zoom < s.minZoom) return false;
    if (s.maxZoom !== undefined && this.zoom > s.maxZoom) return false;
    return true;
  }

  private render(force: boolean): void {
    const sig = this.specs.map((s) => `${s.id}:${this.visible(s) ? 1 : 0}`).join('|');
    if (!force && sig === this.lastSignature) return;
    this.lastSignature = sig;
    // Hidden layers are not created at all: deck.gl initialises (and compiles shaders for) every
    // layer it is given, which costs seconds with software WebGL.
    const layers: Layer[] = this.specs.filter((s) => this.visible(s)).map((s) => (s.kind === 'labels' ? this.labelLayer(s) : this.heatLayer(s)));
    this.overlay.setProps({ layers });
  }

  private labelLayer(s: LabelLayerSpec): Layer {
    const color = s.color ?? [230, 237, 247, 255];
    return new TextLayer<LabelDatum>({
      id: s.id,
      data: s.data,
      visible: this.visible(s),
      pickable: false,
      characterSet: 'auto',
      fontFamily: LABEL_FONT,
      fontWeight: 600,
      fontSettings: { sdf: true, fontSize: 48, buffer: 6, radius: 12 },
      outlineWidth: 4,
      outlineColor: s.haloColor ?? [8, 14, 26, 230],
      getPosition: (d) => d.position,
      getText: (d) => d.text,
      getSize: (d) => d.size ?? s.size ?? 12,
      getColor: (d) => d.color ?? color,
      sizeUnits: 'pixels',
      getTextAnchor: 'middle',
      getAlignmentBaseline: 'center',
      billboard: true,
      parameters: { depthCompare: 'always' },
      updateTriggers: { getSize: [s.size], getColor: [color] },
    });
  }

  private heatLayer(s: HeatLayerSpec): Layer {
    return new HeatmapLayer<{ position: [number, number]; weight: number }>({
      id: s.id,
      data: s.data,
      visible: this.visible(s),
      pickable: false,
      getPosition: (d) => d.position,
      getWeight: (d) => d.weight,
      radiusPixels: s.radiusPixels ?? 40,
      intensity: s.intensity ?? 1,
      threshold: 0.05,
      colorRange: HEAT_RANGE,
    });
  }

  destroy(host: ControlHost): void {
    host.removeControl(this.overlay);
    this.overlay.finalize();
  }
}
