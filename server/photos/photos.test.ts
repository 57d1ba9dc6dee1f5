// Photos: type by magic bytes, size limit, content-addressed files with a thumbnail, retries that
// return the same photo, scoped reads, and photos on reports and workflow actions. Refused uploads
// leave no row and no file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { filesUnder, testImage } from '../testing/photos.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import { sniff } from './store.js';

const LIMIT = 64 * 1024;
let t: TestDb;
let app: Express;
let who: Principals;
let dataDir: string;
const uploads = () => filesUnder(join(dataDir, 'uploads'));

beforeAll(async () => {
  t = await createTestDb();
  who = await loadPrincipals(t.db, await loadFixture(t.db));
  // Like the default ./.data: a dot folder on the way must not hide the files.
  dataDir = join(mkdtempSync(join(tmpdir(), 'gc-photos-')), '.data');
  const config = loadConfig({ INTAKE_RATE_LIMIT: '10000', DATA_DIR: dataDir, MAX_PHOTO_BYTES: String(LIMIT) });
  app = createApp({ config, db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });
}, 180_000);
afterAll(async () => {
  await t?.drop();
  if (dataDir) rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

type W = keyof Principals['tokens'];
const upload = (w: W | null, data: Buffer, opts: { filename?: string; contentType?: string; field?: string } = {}) => {
  let r = request(app).post('/api/photos');
  if (w) r = r.set('Authorization', `Bearer ${who.tokens[w]}`);
  return r.attach(opts.field ?? 'photo', data, { filename: opts.filename ?? 'photo.bin', contentType: opts.contentType ?? 'application/octet-stream' });
};
const as = (w: W) => ({
  get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${who.tokens[w]}`),
  post: (url: string, body: object) => request(app).post(url).set('Authorization', `Bearer ${who.tokens[w]}`).send(body),
});
const rows = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM photo')).rows[0]!.n;
let seq = 0;
const report = (w: W, over: Record<string, unknown> = {}) => as(w).post('/api/incidents', {
  lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'sanitation', source: 'photo', clientKey: `photo-case-${process.pid}-${++seq}`, ...over,
});

describe(`photos on ${testDbKind()}`, () => {
  it('MAX_PHOTO_BYTES defaults to 8 MB', () => {
    expect(loadConfig({}).maxPhotoBytes).toBe(8 * 1024 * 1024);
  });

  it('knows JPEG, PNG and WebP by their magic bytes', async () => {
    expect(sniff(await testImage('jpeg'))).toBe('image/jpeg');
    expect(sniff(await testImage('png'))).toBe('image/png');
    expect(sniff(await testImage('webp'))).toBe('image/webp');
    expect(sniff(Buffer.from('GIF89a……'))).toBeNull();
    expect(sniff(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
    expect(sniff(new Uint8Array(0))).toBeNull();
  });

  it('stores an upload content-addressed with a 320 px JPEG thumbnail; a retry is the same photo', async () => {
    const big = await testImage('jpeg', 1, 640);
    const r = await upload('gridA1', big, { filename: 'a.jpg', contentType: 'image/jpeg' }).expect(201);
    const sha = (await import('node:crypto')).createHash('sha256').update(big).digest('hex');
    expect(r.body).toMatchObject({ sha256: sha, mime: 'image/jpeg', bytes: big.length, width: 640, height: 480,
      url: `/api/photos/${r.body.id}`, thumbUrl: `/api/photos/${r.body.id}/thumb` });
    expect(uploads()).toEqual([`${sha.slice(0, 2)}/${sha}`, `${sha.slice(0, 2)}/${sha}.thumb.jpg`]);
    const thumb = await sharp(readFileSync(join(dataDir, 'uploads', sha.slice(0, 2), `${sha}.thumb.jpg`))).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', 320, 240]);

    const again = await upload('gridA1', big).expect(200);
    expect(again.body.id).toBe(r.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // Another uploader of the same bytes gets a photo of their own over the same file.
    const other = await upload('communityB', big).expect(201);
    expect(other.body.id).not.toBe(r.body.id);
    expect(uploads()).toHaveLength(2);
  });

  it('trusts the content, not the name or the declared type', async () => {
    const png = await testImage('png', 2);
    const r = await upload('gridA1', png, { filename: 'fake.jpg', contentType: 'image/jpeg' }).expect(201);
    expect(r.body.mime).toBe('image/png');
    const webp = await upload('gridA1', await testImage('webp', 3), { filename: 'x.png', contentType: 'image/png' }).expect(201);
    expect(webp.body.mime).toBe('image/webp');
  });

  it.each([
    ['text posing as a JPEG', async () => Buffer.from('<?php system($_GET["c"]); ?>'), { contentType: 'image/jpeg', filename: 'x.jpg' }, 415, 'unsupported_media_type'],
    ['a GIF', async () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).gif().toBuffer(), {}, 415, 'unsupported_media_type'],
    ['SVG', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), { contentType: 'image/svg+xml' }, 415, 'unsupported_media_type'],
    ['a truncated JPEG', async () => (await testImage('jpeg', 4, 200)).subarray(0, 300), {}, 400, 'invalid_request'],
    ['JPEG magic then garbage', async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2000)]), {}, 400, 'invalid_request'],
    ['a huge photo', async () => sharp(randomBytes(300 * 300 * 3), { raw: { width: 300, height: 300, channels: 3 } }).png().toBuffer(), {}, 413, 'payload_too_large'],
    ['the wrong field', async () => testImage('jpeg', 5), { field: 'file' }, 400, 'invalid_request'],
  ])('refuses %s with a stable code, no row and no file', async (_n, make, opts, status, code) => {
    const data = await make();
    if (status === 413) expect(data.length).toBeGreaterThan(LIMIT);
    const [files, n] = [uploads(), await rows()];
    const r = await upload('gridA1', data, opts).expect(status);
    expect(r.body.error.code).toBe(code);
    expect(uploads()).toEqual(files);
    expect(await rows()).toBe(n);
  });

  it('refuses a body that is not one multipart image, and roles that may not upload', async () => {
    const [files, n] = [uploads(), await rows()];
    await as('gridA1').post('/api/photos', { photo: 'base64…' }).expect(415);
    const jpeg = await testImage('jpeg', 6);
    await request(app).post('/api/photos').set('Authorization', `Bearer ${who.tokens.gridA1}`)
      .attach('photo', jpeg, 'a.jpg').attach('photo', jpeg, 'b.jpg').expect(400);
    await request(app).post('/api/photos').set('Authorization', `Bearer ${who.tokens.gridA1}`).field('note', 'no file').expect(400);
    await upload('leader', jpeg).expect(403);
    await upload('kiosk', jpeg).expect(403);
    await upload(null, jpeg).expect(401);
    expect(uploads()).toEqual(files);
    expect(await rows()).toBe(n);
  });

  it('a photo is seen by its uploader, then by whoever sees a case it is on', async () => {
    const before = (await upload('gridA1', await testImage('jpeg', 7)).expect(201)).body.id as number;
    const after = (await upload('gridA1', await testImage('webp', 8)).expect(201)).body.id as number;
    const get = (w: W, id: number, thumb = false) => as(w).get(`/api/photos/${id}${thumb ? '/thumb' : ''}`);
    const own = await get('gridA1', before).expect(200);
    expect(own.headers['content-type']).toBe('image/jpeg');
    expect((await get('gridA1', after).expect(200)).headers['content-type']).toBe('image/webp');
    expect((await get('gridA1', after, true).expect(200)).headers['content-type']).toBe('image/jpeg');
    for (const w of ['subdistrict', 'communityA', 'communityB', 'leader'] as W[]) await get(w, before).expect(404);
    await get('planner', before).expect(403);
    await get('gridA1', 999_999).expect(404);
    // Someone else cannot attach a photo they cannot see.
    expect((await report('communityA', { photos: [before] }).expect(400)).body.error.code).toBe('invalid_request');

    const c = (await report('gridA1', { photos: [before] }).expect(201)).body;
    for (const w of ['subdistrict', 'communityA', 'leader', 'kiosk'] as W[]) await get(w, before).expect(200);
    await get('communityB', before).expect(404);
    await get('gridB1', before, true).expect(404);

    // With a workflow action: the trail names the upload, the case lists both with their step.
    const bad = await as('gridA1').post(`/api/incidents/${c.id}/actions`, { action: 'self_resolve', note: '已清理', photos: [after, 999_999] }).expect(400);
    expect(bad.body.error.code).toBe('invalid_request');
    await as('gridA1').post(`/api/incidents/${c.id}/actions`, { action: 'self_resolve', note: '已清理', photos: [after, 'legacy/ref.jpg'] }).expect(200);
    const d = (await as('subdistrict').get(`/api/incidents/${c.id}`).expect(200)).body;
    expect(d.events.map((e: { photos: string[] }) => e.photos)).toEqual([[`/api/photos/${before}`], [`/api/photos/${after}`, 'legacy/ref.jpg']]);
    expect(d.photos.map((p: { id: number; action: string; url: string }) => [p.id, p.action, p.url]))
      .toEqual([[before, 'report', `/api/photos/${before}`], [after, 'self_resolve', `/api/photos/${after}`]]);
    await get('communityA', after, true).expect(200);
    await get('communityB', after).expect(404);
  });
});
