// Photos: type by magic bytes, size limit, content-addressed files with a thumbnail, retries that
// return the same photo, scoped reads, and photos on reports and workflow actions. Refused uploads
// leave no row and no object. Everything runs twice: on the disk driver and on the s3 driver
// against an in-process S3 server (s3rver, the real S3 wire protocol). Then what each driver
// guarantees when something fails: a storage outage is 503 storage_unavailable with no row, a row
// never points to a missing object, and a missing object is 404 not_found.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import request from 'supertest';
import sharp from 'sharp';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import type { Db } from '../db/db.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { closedEndpoint, filesUnder, startS3, testImage, type TestS3 } from '../testing/photos.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder, type TileEncoder } from '../tiles/encode.js';
import { SQL } from './access.js';
import { createPhotoStorage, type PhotoStorage, type Variant } from './storage.js';
import { sniff } from './store.js';

const LIMIT = 64 * 1024;
let t: TestDb;
let who: Principals;
let root: string;
let s3: TestS3;
let encoder: TileEncoder;

beforeAll(async () => {
  t = await createTestDb();
  who = await loadPrincipals(t.db, await loadFixture(t.db));
  encoder = await detectEncoder(t.db);
  root = mkdtempSync(join(tmpdir(), 'gc-photos-'));
  s3 = await startS3();
}, 180_000);
afterAll(async () => {
  await t?.drop();
  await s3?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

type W = keyof Principals['tokens'];
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const rows = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM photo')).rows[0]!.n;
let seq = 0;
let dirs = 0;

/** An app over the test database (or `db`) with the given photo storage settings. */
function makeApp(env: Record<string, string>, db: Db = t.db, log: (msg: string, err?: unknown) => void = () => undefined) {
  // Like the default ./.data: a dot folder on the way must not hide the files.
  const dataDir = join(root, `d${++dirs}`, '.data');
  const config = loadConfig({ INTAKE_RATE_LIMIT: '10000', DATA_DIR: dataDir, MAX_PHOTO_BYTES: String(LIMIT), ...env });
  return { app: createApp({ config, db, bus: new EventBus(), tileEncoder: encoder, log }), config };
}

function client(app: Express) {
  const upload = (w: W | null, data: Buffer, opts: { filename?: string; contentType?: string; field?: string } = {}) => {
    let r = request(app).post('/api/photos');
    if (w) r = r.set('Authorization', `Bearer ${who.tokens[w]}`);
    return r.attach(opts.field ?? 'photo', data, { filename: opts.filename ?? 'photo.bin', contentType: opts.contentType ?? 'application/octet-stream' });
  };
  const as = (w: W) => ({
    get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${who.tokens[w]}`),
    post: (url: string, body: object) => request(app).post(url).set('Authorization', `Bearer ${who.tokens[w]}`).send(body),
  });
  const report = (w: W, over: Record<string, unknown> = {}) => as(w).post('/api/incidents', {
    lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'sanitation', source: 'photo', clientKey: `photo-case-${process.pid}-${++seq}`, ...over,
  });
  const get = (w: W, id: number, thumb = false) => as(w).get(`/api/photos/${id}${thumb ? '/thumb' : ''}`).buffer(true)
    .parse((res, cb) => { const parts: Buffer[] = []; res.on('data', (c: Buffer) => parts.push(c)); res.on('end', () => cb(null, Buffer.concat(parts))); });
  return { upload, as, report, get };
}

/** What each driver stores where, read back independently of the driver under test. */
interface Driver {
  name: 'disk' | 's3';
  env: () => Record<string, string>;
  /** Every stored object: disk paths under uploads/, or bucket keys. */
  objects: (config: Config) => Promise<string[]>;
  /** The two objects of one upload. */
  keys: (sha: string) => string[];
  read: (config: Config, sha: string, v: Variant) => Promise<{ body: Buffer; contentType?: string }>;
  /** Different pixels per driver: the two drivers share one database. */
  seed: number;
}
const DRIVERS: Driver[] = [
  {
    name: 'disk', seed: 0,
    env: () => ({}),
    objects: async (c) => filesUnder(join(c.dataDir, 'uploads')),
    keys: (sha) => [`${sha.slice(0, 2)}/${sha}`, `${sha.slice(0, 2)}/${sha}.thumb.jpg`],
    read: async (c, sha, v) => ({ body: readFileSync(join(c.dataDir, 'uploads', sha.slice(0, 2), `${sha}${v === 'thumb' ? '.thumb.jpg' : ''}`)) }),
  },
  {
    name: 's3', seed: 100,
    env: () => s3.env,
    objects: () => s3.keys(),
    keys: (sha) => [`photos/${sha}`, `photos/${sha}.thumb.jpg`],
    read: (_c, sha, v) => s3.read(`photos/${sha}${v === 'thumb' ? '.thumb.jpg' : ''}`),
  },
];

describe(`photo configuration and content sniffing (${testDbKind()})`, () => {
  it('MAX_PHOTO_BYTES defaults to 8 MB; PHOTO_STORAGE defaults to disk', () => {
    expect(loadConfig({}).maxPhotoBytes).toBe(8 * 1024 * 1024);
    expect(loadConfig({}).photoStorage).toEqual({ driver: 'disk' });
  });

  it('PHOTO_STORAGE=s3 needs endpoint, bucket and credentials, and says which are missing', () => {
    expect(() => loadConfig({ PHOTO_STORAGE: 's3' }))
      .toThrow('invalid configuration: PHOTO_STORAGE=s3 needs S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY');
    expect(() => loadConfig({ PHOTO_STORAGE: 's3', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_BUCKET: 'b-1', S3_ACCESS_KEY_ID: 'k' }))
      .toThrow(/needs S3_SECRET_ACCESS_KEY$/);
    expect(() => loadConfig({ PHOTO_STORAGE: 'ftp' })).toThrow(/invalid configuration: PHOTO_STORAGE/);
    expect(() => loadConfig({ ...s3.env, S3_ENDPOINT: 'not a url' })).toThrow(/invalid configuration: S3_ENDPOINT/);
    expect(() => loadConfig({ ...s3.env, S3_BUCKET: 'Bad_Bucket' })).toThrow(/invalid configuration: S3_BUCKET/);
    // The S3 keys alone change nothing while PHOTO_STORAGE is disk.
    expect(loadConfig({ S3_BUCKET: 'b-1' }).photoStorage).toEqual({ driver: 'disk' });
  });

  it('a complete s3 configuration has the documented defaults', () => {
    expect(loadConfig({ PHOTO_STORAGE: 's3', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_BUCKET: 'gc-photos', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' }).photoStorage)
      .toEqual({ driver: 's3', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', bucket: 'gc-photos', prefix: 'photos', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true });
    const c = loadConfig({ ...s3.env, S3_PREFIX: '/gc/photos/', S3_FORCE_PATH_STYLE: 'false', S3_REGION: 'oss-cn-shanghai' }).photoStorage;
    expect(c).toMatchObject({ prefix: 'gc/photos', forcePathStyle: false, region: 'oss-cn-shanghai' });
  });

  it('knows JPEG, PNG and WebP by their magic bytes', async () => {
    expect(sniff(await testImage('jpeg'))).toBe('image/jpeg');
    expect(sniff(await testImage('png'))).toBe('image/png');
    expect(sniff(await testImage('webp'))).toBe('image/webp');
    expect(sniff(Buffer.from('GIF89a……'))).toBeNull();
    expect(sniff(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
    expect(sniff(new Uint8Array(0))).toBeNull();
  });
});

describe.each(DRIVERS)(`photos on $name storage, ${testDbKind()} database`, (d) => {
  let app: Express;
  let config: Config;
  let storage: PhotoStorage;
  let c: ReturnType<typeof client>;
  const objects = () => d.objects(config);
  const img = (format: 'jpeg' | 'png' | 'webp', seed: number, size?: number) => testImage(format, d.seed + seed, size);

  beforeAll(() => {
    ({ app, config } = makeApp(d.env()));
    storage = createPhotoStorage(config);
    c = client(app);
  });

  it('the driver puts, gets, checks and deletes content-addressed objects with their type and length', async () => {
    expect(storage.driver).toBe(d.name);
    const data = await img('png', 20);
    const sha = sha256(data);
    expect(await storage.exists(sha, 'original')).toBe(false);
    expect(await storage.get(sha, 'original')).toBeNull();
    await storage.put(sha, 'original', data, 'image/png');
    await storage.put(sha, 'original', data, 'image/png');
    expect(await storage.exists(sha, 'original')).toBe(true);
    expect(await storage.exists(sha, 'thumb')).toBe(false);
    const got = (await storage.get(sha, 'original'))!;
    expect([got.contentType, got.contentLength]).toEqual(['image/png', data.length]);
    const parts: Buffer[] = [];
    for await (const chunk of got.body) parts.push(chunk as Buffer);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    expect(await objects()).toContain(d.keys(sha)[0]);
    await storage.delete(sha, 'original');
    await storage.delete(sha, 'original');
    expect(await storage.exists(sha, 'original')).toBe(false);
    expect(await objects()).not.toContain(d.keys(sha)[0]);
    expect(() => storage.locate('../../etc/passwd', 'original')).toThrow(/not a sha256/);
  });

  it('stores an upload content-addressed with a 320 px JPEG thumbnail; a retry is the same photo and the same object', async () => {
    const big = await img('jpeg', 1, 640);
    const before = await objects();
    const r = await c.upload('gridA1', big, { filename: 'a.jpg', contentType: 'image/jpeg' }).expect(201);
    const sha = sha256(big);
    expect(r.body).toMatchObject({ sha256: sha, mime: 'image/jpeg', bytes: big.length, width: 640, height: 480,
      url: `/api/photos/${r.body.id}`, thumbUrl: `/api/photos/${r.body.id}/thumb` });
    expect(await objects()).toEqual([...before, ...d.keys(sha)].sort());
    const original = await d.read(config, sha, 'original');
    expect(original.body.equals(big)).toBe(true);
    const thumb = await d.read(config, sha, 'thumb');
    const meta = await sharp(thumb.body).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 240]);
    if (d.name === 's3') expect([original.contentType, thumb.contentType]).toEqual(['image/jpeg', 'image/jpeg']);

    const again = await c.upload('gridA1', big).expect(200);
    expect(again.body.id).toBe(r.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // Another uploader of the same bytes gets a photo of their own over the same objects.
    const other = await c.upload('communityB', big).expect(201);
    expect(other.body.id).not.toBe(r.body.id);
    expect(await objects()).toEqual([...before, ...d.keys(sha)].sort());
  });

  it('identical uploads at the same moment are one row and one object', async () => {
    const data = await img('webp', 21);
    const [before, n] = [await objects(), await rows()];
    const answers = await Promise.all([1, 2, 3].map(() => c.upload('gridA1', data)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await rows()).toBe(n + 1);
    expect(await objects()).toEqual([...before, ...d.keys(sha256(data))].sort());
  });

  it('trusts the content, not the name or the declared type, and stores that type', async () => {
    const png = await img('png', 2);
    const r = await c.upload('gridA1', png, { filename: 'fake.jpg', contentType: 'image/jpeg' }).expect(201);
    expect(r.body.mime).toBe('image/png');
    const webp = await c.upload('gridA1', await img('webp', 3), { filename: 'x.png', contentType: 'image/png' }).expect(201);
    expect(webp.body.mime).toBe('image/webp');
    const got = (await storage.get(r.body.sha256, 'original'))!;
    got.body.destroy();
    expect(got.contentType).toBe('image/png');
    if (d.name === 's3') {
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `photos/${webp.body.sha256}` }));
      expect(head.ContentType).toBe('image/webp');
    }
  });

  it.each([
    ['text posing as a JPEG', async () => Buffer.from('<?php system($_GET["c"]); ?>'), { contentType: 'image/jpeg', filename: 'x.jpg' }, 415, 'unsupported_media_type'],
    ['a GIF', async () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).gif().toBuffer(), {}, 415, 'unsupported_media_type'],
    ['SVG', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), { contentType: 'image/svg+xml' }, 415, 'unsupported_media_type'],
    ['a truncated JPEG', async () => (await testImage('jpeg', 4, 200)).subarray(0, 300), {}, 400, 'invalid_request'],
    ['JPEG magic then garbage', async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2000)]), {}, 400, 'invalid_request'],
    ['a huge photo', async () => sharp(randomBytes(300 * 300 * 3), { raw: { width: 300, height: 300, channels: 3 } }).png().toBuffer(), {}, 413, 'payload_too_large'],
    ['the wrong field', async () => testImage('jpeg', 5), { field: 'file' }, 400, 'invalid_request'],
  ])('refuses %s with a stable code, no row and no object', async (_n, make, opts, status, code) => {
    const data = await make();
    if (status === 413) expect(data.length).toBeGreaterThan(LIMIT);
    const [files, n] = [await objects(), await rows()];
    const r = await c.upload('gridA1', data, opts).expect(status);
    expect(r.body.error.code).toBe(code);
    expect(await objects()).toEqual(files);
    expect(await rows()).toBe(n);
  });

  it('refuses a body that is not one multipart image, and roles that may not upload', async () => {
    const [files, n] = [await objects(), await rows()];
    await c.as('gridA1').post('/api/photos', { photo: 'base64…' }).expect(415);
    const jpeg = await img('jpeg', 6);
    await request(app).post('/api/photos').set('Authorization', `Bearer ${who.tokens.gridA1}`)
      .attach('photo', jpeg, 'a.jpg').attach('photo', jpeg, 'b.jpg').expect(400);
    await request(app).post('/api/photos').set('Authorization', `Bearer ${who.tokens.gridA1}`).field('note', 'no file').expect(400);
    await c.upload('leader', jpeg).expect(403);
    await c.upload('kiosk', jpeg).expect(403);
    await c.upload(null, jpeg).expect(401);
    expect(await objects()).toEqual(files);
    expect(await rows()).toBe(n);
  });

  it('serves the stored bytes with the type, length, caching and validator of the photo, and nothing of the storage', async () => {
    const data = await img('jpeg', 22, 200);
    const p = (await c.upload('gridA1', data).expect(201)).body as { id: number; sha256: string };
    const r = await c.get('gridA1', p.id).expect(200);
    expect((r.body as Buffer).equals(data)).toBe(true);
    expect(r.headers).toMatchObject({ 'content-type': 'image/jpeg', 'content-length': String(data.length),
      'cache-control': 'private, max-age=86400, immutable', etag: `"${p.sha256}"`, 'x-content-type-options': 'nosniff' });
    expect(Object.keys(r.headers).filter((h) => h.startsWith('x-amz'))).toEqual([]);
    expect(JSON.stringify(r.headers)).not.toContain(s3.endpoint.replace('http://', ''));
    const th = await c.get('gridA1', p.id, true).expect(200);
    expect((th.body as Buffer).equals((await d.read(config, p.sha256, 'thumb')).body)).toBe(true);
    expect(th.headers).toMatchObject({ 'content-type': 'image/jpeg', etag: `"${p.sha256}-thumb"` });
    // A revalidation is answered without the storage.
    const notModified = await c.as('gridA1').get(`/api/photos/${p.id}`).set('If-None-Match', `"${p.sha256}"`).expect(304);
    expect(notModified.headers['cache-control']).toBe('private, max-age=86400, immutable');
    await c.as('gridA1').get(`/api/photos/${p.id}/thumb`).set('If-None-Match', `"${p.sha256}"`).expect(200);
  });

  it('a photo is seen by its uploader, then by whoever sees a case it is on', async () => {
    const before = (await c.upload('gridA1', await img('jpeg', 7)).expect(201)).body.id as number;
    const after = (await c.upload('gridA1', await img('webp', 8)).expect(201)).body.id as number;
    const { get, as, report } = c;
    const own = await get('gridA1', before).expect(200);
    expect(own.headers['content-type']).toBe('image/jpeg');
    expect((await get('gridA1', after).expect(200)).headers['content-type']).toBe('image/webp');
    expect((await get('gridA1', after, true).expect(200)).headers['content-type']).toBe('image/jpeg');
    for (const w of ['subdistrict', 'communityA', 'communityB', 'leader'] as W[]) await get(w, before).expect(404);
    await get('planner', before).expect(403);
    await get('gridA1', 999_999).expect(404);
    // Someone else cannot attach a photo they cannot see.
    expect((await report('communityA', { photos: [before] }).expect(400)).body.error.code).toBe('invalid_request');

    const cs = (await report('gridA1', { photos: [before] }).expect(201)).body;
    for (const w of ['subdistrict', 'communityA', 'leader', 'kiosk'] as W[]) await get(w, before).expect(200);
    await get('communityB', before).expect(404);
    await get('gridB1', before, true).expect(404);

    // With a workflow action: the trail names the upload, the case lists both with their step.
    const bad = await as('gridA1').post(`/api/incidents/${cs.id}/actions`, { action: 'self_resolve', note: '已清理', photos: [after, 999_999] }).expect(400);
    expect(bad.body.error.code).toBe('invalid_request');
    await as('gridA1').post(`/api/incidents/${cs.id}/actions`, { action: 'self_resolve', note: '已清理', photos: [after, 'legacy/ref.jpg'] }).expect(200);
    const detail = (await as('subdistrict').get(`/api/incidents/${cs.id}`).expect(200)).body;
    expect(detail.events.map((e: { photos: string[] }) => e.photos)).toEqual([[`/api/photos/${before}`], [`/api/photos/${after}`, 'legacy/ref.jpg']]);
    expect(detail.photos.map((p: { id: number; action: string; url: string }) => [p.id, p.action, p.url]))
      .toEqual([[before, 'report', `/api/photos/${before}`], [after, 'self_resolve', `/api/photos/${after}`]]);
    await get('communityA', after, true).expect(200);
    await get('communityB', after).expect(404);
  });

  it('a photo whose object is gone is 404 not_found, not cached; uploading the same bytes again restores it', async () => {
    const data = await img('png', 23);
    const p = (await c.upload('gridA1', data).expect(201)).body as { id: number; sha256: string };
    await storage.delete(p.sha256, 'original');
    await storage.delete(p.sha256, 'thumb');
    const gone = await c.as('gridA1').get(`/api/photos/${p.id}`).expect(404);
    expect(gone.body.error).toEqual({ code: 'not_found', message: `the file of photo ${p.id} is missing from storage` });
    expect(gone.headers['cache-control']).toBeUndefined();
    expect(gone.headers.etag).not.toContain(p.sha256);
    expect((await c.as('gridA1').get(`/api/photos/${p.id}/thumb`).expect(404)).body.error.code).toBe('not_found');
    await c.upload('gridA1', data).expect(200);
    expect((await c.get('gridA1', p.id).expect(200)).body.equals(data)).toBe(true);
    await c.get('gridA1', p.id, true).expect(200);
  });

  it('when the row cannot be written after the objects were: 500, no row; the retry reuses the objects', async () => {
    // Objects first, row second: a failure in between leaves an unreferenced object, never a row
    // without one. The object is not deleted (another uploader's row may share it); the retry of
    // the same bytes finds it and writes the row.
    let failNext = true;
    const flaky = new Proxy(t.db, {
      get(target, prop) {
        if (prop === 'query') {
          return (sql: string, params?: readonly unknown[]) => {
            if (sql === SQL.insert && failNext) {
              failNext = false;
              return Promise.reject(new Error('connection terminated unexpectedly'));
            }
            return target.query(sql, params);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const logged: string[] = [];
    const made = makeApp(d.env(), flaky, (msg) => logged.push(msg));
    const [f, flakyConfig] = [client(made.app), made.config];
    const data = await img('jpeg', 24);
    const [before, n] = [await d.objects(flakyConfig), await rows()];
    expect((await f.upload('gridA1', data).expect(500)).body.error.code).toBe('internal_error');
    expect(logged).toEqual(['unhandled error']);
    expect(await rows()).toBe(n);
    expect(await d.objects(flakyConfig)).toEqual([...before, ...d.keys(sha256(data))].sort());
    const r = await f.upload('gridA1', data).expect(201);
    expect(await rows()).toBe(n + 1);
    expect(await d.objects(flakyConfig)).toEqual([...before, ...d.keys(sha256(data))].sort());
    expect((await f.get('gridA1', r.body.id).expect(200)).body.equals(data)).toBe(true);
  });
});

describe(`photo storage outages, ${testDbKind()} database`, () => {
  const expectUnavailable = (r: request.Response) => {
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('30');
    expect(r.body).toEqual({ error: { code: 'storage_unavailable', message: 'photo storage is unavailable; try again later' } });
  };

  it('s3: an unreachable endpoint is 503 storage_unavailable, with no row and no object; reads too', async () => {
    const good = client(makeApp(s3.env).app);
    const stored = (await good.upload('gridA1', await testImage('jpeg', 300)).expect(201)).body.id as number;
    const logged: [string, unknown][] = [];
    const { app, config } = makeApp({ ...s3.env, S3_ENDPOINT: await closedEndpoint() }, t.db, (msg, err) => logged.push([msg, err]));
    const down = client(app);
    const [keys, n] = [await s3.keys(), await rows()];
    expectUnavailable(await down.upload('gridA1', await testImage('jpeg', 301)));
    expect(await rows()).toBe(n);
    expect(await s3.keys()).toEqual(keys);
    expect(filesUnder(config.dataDir)).toEqual([]);
    expectUnavailable(await down.as('gridA1').get(`/api/photos/${stored}`));
    expect(logged.map(([m]) => m)).toEqual(['photo upload refused: storage unavailable', `photo ${stored}: storage unavailable`]);
    expect(String(logged[0]![1])).toMatch(/photo storage \(s3\) failed to check an object: .*ECONNREFUSED/);
  });

  it('s3: a bucket that does not exist is 503 storage_unavailable with no row', async () => {
    const down = client(makeApp({ ...s3.env, S3_BUCKET: 'no-such-bucket' }).app);
    const [keys, n] = [await s3.keys(), await rows()];
    expectUnavailable(await down.upload('gridA1', await testImage('jpeg', 302)));
    expect(await rows()).toBe(n);
    expect(await s3.keys()).toEqual(keys);
  });

  it('disk: an uploads folder that cannot be written is 503 storage_unavailable with no row', async () => {
    const { app, config } = makeApp({});
    // DATA_DIR/uploads is a file: every write under it fails (ENOTDIR), as on a broken mount.
    rmSync(config.dataDir, { recursive: true, force: true });
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(join(config.dataDir, 'uploads'), 'not a folder');
    const n = await rows();
    expectUnavailable(await client(app).upload('gridA1', await testImage('jpeg', 303)));
    expect(await rows()).toBe(n);
  });
});
