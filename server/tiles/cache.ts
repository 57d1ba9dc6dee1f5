// Encoded vector tiles kept in memory, per source layer (issue 13: warm tiles without a database
// query). What may be cached and how is data in layers.ts (SOURCE_CACHE): the OSM base map is one
// entry for everyone; jurisdiction-filtered layers carry the caller's scope in their key, so a
// scoped user can only ever be served a tile rendered for exactly that scope; live cases are
// never cached. Every key carries the data version (migration 0019: one row per statement that
// wrote a tracked table, in any process), read at most once per `versionTtlMs`; a new version
// drops every entry. Bounded by bytes (core/byte-lru.ts).
import { createHash } from 'node:crypto';
import { ByteLru, type ByteLruStats } from '../../core/byte-lru.js';
import type { Queryable } from '../db/db.js';
import { renderSource, type TileEncoder, type TileScope, type TileWindow } from './encode.js';
import { SOURCE_CACHE, type SourceLayer } from './layers.js';

interface Part {
  bytes: Uint8Array;
  /** sha1 of the bytes (base64url, 16 chars): a part's identity for ETags. */
  hash: string;
}

export interface CachedTile {
  bytes: Uint8Array;
  /** A strong ETag when every part came from cacheable layers; null for live layers. */
  etag: string | null;
  /** Source layers answered from memory (the rest were rendered). */
  hits: number;
}

export interface TileCacheOptions {
  /** Upper bound of the encoded bytes held. */
  maxBytes: number;
  /** How long a read data version is trusted (0 = read it for every tile). */
  versionTtlMs: number;
  now?: () => number;
}

const hashOf = (b: Uint8Array) => createHash('sha1').update(b).digest('base64url').slice(0, 16);

/** A scope as part of a key: every field of it, communities in a fixed order. */
export const scopeKey = (s: TileScope) =>
  JSON.stringify([s.communities ? [...s.communities].sort() : null, s.gridId, s.departmentId]);

export class TileCache {
  private readonly lru: ByteLru<Part>;
  private version: { value: string; at: number } | null = null;
  private reading: Promise<string> | null = null;
  private readonly inflight = new Map<string, Promise<Part>>();
  private readonly now: () => number;
  rendered = 0;

  constructor(private readonly db: Queryable, private readonly opts: TileCacheOptions) {
    this.lru = new ByteLru<Part>(opts.maxBytes, (p) => p.bytes.byteLength + 64);
    this.now = opts.now ?? Date.now;
  }

  /** The data version of the cached tables; a change empties the cache. */
  async dataVersion(): Promise<string> {
    const v = this.version;
    if (v && this.now() - v.at < this.opts.versionTtlMs) return v.value;
    this.reading ??= this.db.query<{ v: string }>('SELECT count(*)::text AS v FROM tile_data_change')
      .then((r) => {
        const value = r.rows[0]!.v;
        if (this.version && this.version.value !== value) this.lru.clear();
        this.version = { value, at: this.now() };
        return value;
      })
      .finally(() => { this.reading = null; });
    return this.reading;
  }

  /** Drop every entry (and read the version again on the next tile). */
  clear(): void {
    this.lru.clear();
    this.version = null;
  }

  stats(): ByteLruStats & { rendered: number } {
    return { ...this.lru.stats(), rendered: this.rendered };
  }

  /** The cache key of one source layer's tile, or null when the layer is never cached. */
  static key(encoder: TileEncoder, source: SourceLayer, z: number, x: number, y: number, version: string, scope: TileScope): string | null {
    const policy = SOURCE_CACHE[source];
    if (policy === 'none') return null;
    return `${encoder}|${source}|${z}/${x}/${y}|v${version}|${policy === 'shared' ? '*' : scopeKey(scope)}`;
  }

  async tile(encoder: TileEncoder, sources: SourceLayer[], z: number, x: number, y: number,
    scope: TileScope, window?: TileWindow): Promise<CachedTile> {
    const version = sources.some((s) => SOURCE_CACHE[s] !== 'none') ? await this.dataVersion() : '';
    const parts: Uint8Array[] = [];
    const hashes: string[] = [];
    let live = false;
    let hits = 0;
    for (const s of sources) {
      const key = TileCache.key(encoder, s, z, x, y, version, scope);
      if (key === null) {
        live = true;
        this.rendered++;
        const b = await renderSource(this.db, encoder, s, z, x, y, scope, window);
        if (b.length) parts.push(b);
        continue;
      }
      let part = this.lru.get(key);
      if (part) hits++;
      else {
        let pending = this.inflight.get(key);
        if (!pending) {
          this.rendered++;
          pending = renderSource(this.db, encoder, s, z, x, y, scope, window)
            .then((bytes) => ({ bytes, hash: hashOf(bytes) }))
            .finally(() => this.inflight.delete(key));
          this.inflight.set(key, pending);
          part = await pending;
          // Only under the version it was rendered for: a version read after this render began
          // emptied the cache, and this entry's key can no longer be asked for.
          if (this.version?.value === version) this.lru.set(key, part);
        } else part = await pending;
      }
      hashes.push(part.hash);
      if (part.bytes.length) parts.push(part.bytes);
    }
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const etag = live ? null : `"${hashes.length === 1 ? hashes[0] : createHash('sha1').update(hashes.join('.')).digest('base64url').slice(0, 20)}"`;
    return { bytes, etag, hits };
  }
}
