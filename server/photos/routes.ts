// Photos: POST /api/photos takes one image (multipart/form-data, field "photo"), JPEG, PNG or WebP
// by content, at most MAX_PHOTO_BYTES; a retried upload of the same bytes is the same photo. A
// photo is shown to whoever uploaded it and to anyone who can see a case it is on. Mounted before
// the app's JSON-only rule for /api (this is the one multipart route). Files go to the storage
// PHOTO_STORAGE names (storage.ts): objects first, then the row, so a row never points to a
// missing object; a storage failure is 503 storage_unavailable and writes no row.
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { audit, guard, principalOf } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { fail, ok, route, type Result } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { actorOf } from '../incidents/actions.js';
import { accessiblePhotos, photoUrl, SQL, thumbUrl, type PhotoRow } from './access.js';
import { createPhotoStorage, StorageUnavailableError, type PhotoObject, type PhotoStorage, type Variant } from './storage.js';
import { preparePhoto, storePrepared, type PhotoFile } from './store.js';

export const PHOTO_FIELD = 'photo';

const present = (p: Pick<PhotoRow, 'id' | 'sha256' | 'mime' | 'bytes' | 'width' | 'height' | 'created_at'>) => ({
  id: p.id, sha256: p.sha256, mime: p.mime, bytes: p.bytes, width: p.width, height: p.height,
  url: photoUrl(p.id), thumbUrl: thumbUrl(p.id), createdAt: new Date(p.created_at).toISOString(),
});

/** Cached by the browser for a day: the id always names the same bytes. */
const CACHE_CONTROL = 'private, max-age=86400, immutable';

/** 503 storage_unavailable; the message names no host, bucket or key (the log has the cause). */
function storageUnavailable(res: Response) {
  res.setHeader('Retry-After', '30');
  return fail('storage_unavailable', 'photo storage is unavailable; try again later');
}

export interface PhotoRouteOptions {
  /** Default: the driver PHOTO_STORAGE names. */
  storage?: PhotoStorage;
  log?: (msg: string, err?: unknown) => void;
}

export function photoRoutes(db: Db, config: Config, opts: PhotoRouteOptions = {}): Router {
  const r = Router();
  const storage = opts.storage ?? createPhotoStorage(config);
  const log = opts.log ?? (() => undefined);
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: config.maxPhotoBytes, files: 1, fields: 10, fieldSize: 1024, parts: 11 },
  }).single(PHOTO_FIELD);

  /** The uploaded file, or why not (nothing is written anywhere by multer's memory storage). */
  const receive = (req: Request, res: Response) => new Promise<Result<Express.Multer.File>>((resolve, reject) => {
    if (!req.is('multipart/form-data')) {
      resolve(fail('unsupported_media_type', `send multipart/form-data with one image in the field "${PHOTO_FIELD}"`));
      return;
    }
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') resolve(fail('payload_too_large', `a photo may have at most ${config.maxPhotoBytes} bytes`));
        else resolve(fail('invalid_request', `${err.message}${err.field ? ` (${err.field})` : ''}: send one image in the field "${PHOTO_FIELD}"`));
      } else if (err) {
        // A broken multipart body is the client's; anything else is a bug.
        if (err instanceof Error && /multipart|boundary|unexpected end/i.test(err.message)) resolve(fail('invalid_request', 'malformed multipart body'));
        else reject(err);
      } else if (!req.file) {
        resolve(fail('invalid_request', `no file in the field "${PHOTO_FIELD}"`));
      } else {
        resolve(ok(req.file));
      }
    });
  });

  r.post('/api/photos', guard('update', 'incident'), route(async (req, res) => {
    const file = await receive(req, res);
    if (!file.ok) return file;
    const prepared = await preparePhoto(file.value.buffer);
    if (!prepared.ok) return prepared;
    let f: PhotoFile;
    try {
      f = await storePrepared(storage, prepared.value);
    } catch (e) {
      if (!(e instanceof StorageUnavailableError)) throw e;
      log('photo upload refused: storage unavailable', e);
      return storageUnavailable(res);
    }
    // A failure from here on leaves the objects unreferenced; the retry of the same bytes reuses them.
    const actor = await actorOf(db, principalOf(req));
    const who = [actor.kind, actor.id, actor.label];
    const inserted = (await db.query<PhotoRow>(SQL.insert, [f.sha256, f.mime, f.bytes, f.width, f.height, ...who])).rows[0];
    if (!inserted) {
      // The same bytes from the same uploader: the same photo.
      const again = (await db.query<PhotoRow>(SQL.byUpload, [f.sha256, actor.kind, actor.id])).rows[0]!;
      res.status(200).setHeader('Idempotent-Replayed', 'true');
      return ok(present(again));
    }
    await audit(db, req, { action: 'create', resource: 'photo', resourceId: inserted.id, detail: { sha256: f.sha256, bytes: f.bytes } });
    res.status(201);
    return ok(present(inserted));
  }));

  const serve = (variant: Variant) => route(async (req, res) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const me = principalOf(req);
    const photo = (await accessiblePhotos(db, [p.value.id], await actorOf(db, me), me.scope)).get(p.value.id);
    if (!photo) return fail('not_found', `photo ${p.value.id} not found`);
    // Content-addressed, so the sha256 is a strong validator whatever the storage.
    const etag = `"${photo.sha256}${variant === 'thumb' ? '-thumb' : ''}"`;
    res.setHeader('ETag', etag);
    if (req.fresh) {
      res.setHeader('Cache-Control', CACHE_CONTROL);
      res.status(304).end();
      return undefined;
    }
    res.removeHeader('ETag');
    let obj: PhotoObject | null;
    try {
      obj = await storage.get(photo.sha256, variant);
    } catch (e) {
      if (!(e instanceof StorageUnavailableError)) throw e;
      log(`photo ${photo.id}: storage unavailable`, e);
      return storageUnavailable(res);
    }
    if (!obj) {
      log(`photo ${photo.id}: ${storage.locate(photo.sha256, variant)} is missing`);
      return fail('not_found', `the ${variant === 'thumb' ? 'thumbnail' : 'file'} of photo ${photo.id} is missing from storage`);
    }
    res.type(variant === 'original' ? photo.mime : 'image/jpeg');
    res.setHeader('Content-Length', String(obj.contentLength));
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', CACHE_CONTROL);
    try {
      await pipeline(obj.body, res);
    } catch (e) {
      // Headers are out: the client sees a cut response (its Content-Length is not met). A client
      // that went away is no storage problem.
      if (!req.destroyed) log(`photo ${photo.id}: streaming from storage failed`, e);
      res.destroy();
    }
    return undefined;
  });
  r.get('/api/photos/:id', guard('read', 'incident'), serve('original'));
  r.get('/api/photos/:id/thumb', guard('read', 'incident'), serve('thumb'));
  return r;
}
