// One validated configuration object. Every setting, its environment variable and its default
// is here; .env.example documents the same list.
import { resolve } from 'node:path';
import { z } from 'zod';

const ROOT = resolve(import.meta.dirname, '..');

const schema = z.object({
  /** HTTP port. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Address to listen on. */
  HOST: z.string().default('127.0.0.1'),
  /** postgres://… of a PostgreSQL+PostGIS server; unset = embedded PGlite. */
  DATABASE_URL: z.string().url().optional(),
  /** Folder for the embedded database and uploads (git-ignored by default). */
  DATA_DIR: z.string().default(resolve(ROOT, '.data')),
  /** Load the demo district on first run (empty database). */
  LOAD_DEMO: z.enum(['true', 'false']).default('true'),
  /** Largest JSON request body, in bytes. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(256 * 1024),
  /** Optional external raster base map, e.g. https://tiles.example/{z}/{x}/{y}.png (off by default: no internet). */
  BASEMAP_URL: z.string().optional(),
  /** Most features one GeoJSON list returns. */
  MAX_FEATURES: z.coerce.number().int().positive().default(5000),
  /** Where the built client lives. */
  CLIENT_DIST: z.string().default(resolve(ROOT, 'dist/client')),
  LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).default('info'),
  /** Password for the first-run admin account; unset = a random one printed once. */
  ADMIN_PASSWORD: z.string().min(10).optional(),
  /** Session lifetime in hours. */
  SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** Secure flag on the session cookie: auto = when the request came over HTTPS. */
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  /** Failed logins per username (from any address) before it is locked until its window ends. */
  LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  /** Failed logins per address, across usernames (password spraying), before it is locked until its window ends. */
  LOGIN_ADDRESS_RATE_LIMIT: z.coerce.number().int().positive().default(50),
  /** Length of a login-failure window, from its first failure; a lock ends with it. */
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().positive().max(24 * 60).default(15),
  /** Reports per principal per minute. */
  INTAKE_RATE_LIMIT: z.coerce.number().int().positive().default(600),
  /**
   * Verification codes for the public pages (随手拍, 一年一事): desk = no SMS gateway, the code is issued
   * at the resident's request and the desk (服务台, staff with resident_pii read_full) reads it out;
   * dev = the request's answer carries the code (development and tests only, never in production).
   */
  SMS_MODE: z.enum(['desk', 'dev']).default('desk'),
  /** Public page writes (code requests, reports, photos, votes, ratings) per address per minute. */
  PUBLIC_RATE_LIMIT: z.coerce.number().int().positive().default(30),
  /** Reports one verified phone may file per day on the public page. */
  PUBLIC_DAILY_REPORTS: z.coerce.number().int().positive().default(20),
  /** Trust X-Forwarded-* from a reverse proxy (Express 'trust proxy'). */
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** Other origins (comma list of scheme://host[:port]) whose pages may open live sockets; the server's own always may. */
  ALLOWED_ORIGINS: z.string().default('').transform((v, ctx) => {
    const out: string[] = [];
    for (const item of v.split(',').map((x) => x.trim()).filter(Boolean)) {
      let u: URL | null = null;
      try { u = new URL(item); } catch { /* reported below */ }
      if (!u || !['http:', 'https:'].includes(u.protocol) || u.origin !== item.replace(/\/$/, '').toLowerCase()) {
        ctx.addIssue({ code: 'custom', message: `${item} is not an origin like https://wall.example.org:8443` });
      } else {
        out.push(u.origin);
      }
    }
    return out;
  }),
  /** Duplicate candidates: open cases of the same category within this many metres … */
  DUPLICATE_RADIUS_M: z.coerce.number().positive().max(10_000).default(50),
  /** … and this many hours of a case. */
  DUPLICATE_WINDOW_HOURS: z.coerce.number().positive().max(24 * 365).default(72),
  /** How often the escalation clock looks for cases past their deadline, in seconds. */
  ESCALATION_INTERVAL_SECONDS: z.coerce.number().positive().max(24 * 3600).default(60),
  /** How often the trend early-warning scan runs, in seconds (0 = only on demand). */
  WARNING_SCAN_INTERVAL_SECONDS: z.coerce.number().min(0).max(7 * 24 * 3600).default(900),
  /** Largest photo upload (POST /api/photos), in bytes. */
  MAX_PHOTO_BYTES: z.coerce.number().int().positive().max(100 * 1024 * 1024).default(8 * 1024 * 1024),
  /** Open311 requests without attribute[client_key]: the same token, device and body within this many minutes is one request. */
  OPEN311_REPLAY_WINDOW_MINUTES: z.coerce.number().positive().max(24 * 60).default(10),
  /** 15-minute life circle: walking speed in metres per second (1.2 ≈ 1,080 m in 15 min). */
  WALK_SPEED_MPS: z.coerce.number().positive().max(5).default(1.2),
  /** Memory for encoded vector tiles of the layers that may be cached (server/tiles/cache.ts), in MiB; 0 = no cache. */
  TILE_CACHE_MB: z.coerce.number().min(0).max(16_384).default(128),
  /** How long a server trusts the tile data version it read (cross-process invalidation delay), in ms. */
  TILE_VERSION_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  // --- Photo storage ---
  /** Where uploaded photos live: disk = DATA_DIR/uploads; s3 = an S3-compatible bucket (the S3_* keys). */
  PHOTO_STORAGE: z.enum(['disk', 's3']).default('disk'),
  /** S3 API endpoint, e.g. https://s3.us-east-1.amazonaws.com, http://127.0.0.1:9000 (MinIO), https://oss-cn-shanghai.aliyuncs.com. */
  S3_ENDPOINT: z.string().url().optional(),
  /** Region used for request signing. */
  S3_REGION: z.string().default('us-east-1'),
  /** Bucket (it must exist; the server does not create it). */
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'not a valid bucket name').optional(),
  /** Key prefix: objects are <prefix>/<sha256> and <prefix>/<sha256>.thumb.jpg. */
  S3_PREFIX: z.string().regex(/^[A-Za-z0-9!_.*'()/-]*$/, 'letters, digits and !_.*\'()/- only').default('photos'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** Path-style URLs (endpoint/bucket/key), as MinIO needs; false = virtual-hosted (bucket.endpoint/key), as OSS and COS need. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true'),
  // --- Scale-out (docs/DEPLOYMENT.md) ---
  /** Server processes `npm start` runs behind its one port (node cluster, sticky sessions); >1 needs DATABASE_URL. */
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * How live rooms are shared between processes: none (one process), postgres (LISTEN/NOTIFY on
   * DATABASE_URL), redis (REDIS_URL); auto = redis when REDIS_URL is set, else postgres when
   * WORKERS > 1, else none.
   */
  SOCKET_ADAPTER: z.enum(['auto', 'none', 'postgres', 'redis']).default('auto'),
  /** redis://… for the Redis socket.io adapter. */
  REDIS_URL: z.string().url().refine((u) => /^rediss?:$/.test(new URL(u).protocol), 'must be redis://… or rediss://…').optional(),
});

/** Photo storage settings: disk, or a complete S3 configuration. */
export type PhotoStorageConfig = { driver: 'disk' } | S3StorageConfig;
export interface S3StorageConfig {
  driver: 's3'; endpoint: string; region: string; bucket: string; prefix: string;
  accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean;
}

function photoStorageOf(e: z.infer<typeof schema>): PhotoStorageConfig {
  if (e.PHOTO_STORAGE === 'disk') return { driver: 'disk' };
  const need = { S3_ENDPOINT: e.S3_ENDPOINT, S3_BUCKET: e.S3_BUCKET, S3_ACCESS_KEY_ID: e.S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: e.S3_SECRET_ACCESS_KEY };
  const missing = Object.entries(need).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) throw new Error(`invalid configuration: PHOTO_STORAGE=s3 needs ${missing.join(', ')}`);
  return {
    driver: 's3', endpoint: e.S3_ENDPOINT!, region: e.S3_REGION, bucket: e.S3_BUCKET!, prefix: e.S3_PREFIX.replace(/^\/+|\/+$/g, ''),
    accessKeyId: e.S3_ACCESS_KEY_ID!, secretAccessKey: e.S3_SECRET_ACCESS_KEY!, forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
  };
}

/** How live socket rooms reach the sockets of other server processes. */
export type SocketAdapterKind = 'none' | 'postgres' | 'redis';

function socketAdapterOf(e: z.infer<typeof schema>): SocketAdapterKind {
  if (e.WORKERS > 1 && !e.DATABASE_URL) {
    throw new Error(`invalid configuration: WORKERS=${e.WORKERS} needs DATABASE_URL — the embedded database (PGlite) is owned by one process; set WORKERS=1 or use PostgreSQL`);
  }
  const kind = e.SOCKET_ADAPTER === 'auto'
    ? (e.REDIS_URL ? 'redis' : e.WORKERS > 1 ? 'postgres' : 'none')
    : e.SOCKET_ADAPTER;
  if (kind === 'postgres' && !e.DATABASE_URL) throw new Error('invalid configuration: SOCKET_ADAPTER=postgres needs DATABASE_URL');
  if (kind === 'redis' && !e.REDIS_URL) throw new Error('invalid configuration: SOCKET_ADAPTER=redis needs REDIS_URL');
  if (kind === 'none' && e.WORKERS > 1) throw new Error(`invalid configuration: WORKERS=${e.WORKERS} with SOCKET_ADAPTER=none would split live rooms between processes; use auto, postgres or redis`);
  return kind;
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  loadDemo: boolean;
  maxBodyBytes: number;
  basemapUrl: string | undefined;
  maxFeatures: number;
  clientDist: string;
  logLevel: 'silent' | 'error' | 'info' | 'debug';
  rootDir: string;
  adminPassword: string | undefined;
  sessionHours: number;
  cookieSecure: 'auto' | 'true' | 'false';
  loginRateLimit: number;
  loginAddressRateLimit: number;
  loginLockoutMs: number;
  intakeRateLimit: number;
  smsMode: 'desk' | 'dev';
  publicRateLimit: number;
  publicDailyReports: number;
  trustProxy: boolean;
  allowedOrigins: string[];
  duplicateRadiusM: number;
  duplicateWindowHours: number;
  escalationIntervalMs: number;
  warningScanIntervalMs: number;
  maxPhotoBytes: number;
  open311ReplayWindowMs: number;
  walkSpeedMps: number;
  tileCacheBytes: number;
  tileVersionTtlMs: number;
  photoStorage: PhotoStorageConfig;
  /** Server processes behind the one port (1 = this process serves alone). */
  workers: number;
  /** Resolved socket.io adapter; anything but 'none' means other processes may serve the same rooms. */
  socketAdapter: SocketAdapterKind;
  redisUrl: string | undefined;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${msg}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.DATA_DIR),
    loadDemo: e.LOAD_DEMO === 'true',
    maxBodyBytes: e.MAX_BODY_BYTES,
    basemapUrl: e.BASEMAP_URL,
    maxFeatures: e.MAX_FEATURES,
    clientDist: resolve(e.CLIENT_DIST),
    logLevel: e.LOG_LEVEL,
    rootDir: ROOT,
    adminPassword: e.ADMIN_PASSWORD,
    sessionHours: e.SESSION_HOURS,
    cookieSecure: e.COOKIE_SECURE,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    loginAddressRateLimit: e.LOGIN_ADDRESS_RATE_LIMIT,
    loginLockoutMs: Math.round(e.LOGIN_LOCKOUT_MINUTES * 60_000),
    intakeRateLimit: e.INTAKE_RATE_LIMIT,
    smsMode: e.SMS_MODE,
    publicRateLimit: e.PUBLIC_RATE_LIMIT,
    publicDailyReports: e.PUBLIC_DAILY_REPORTS,
    trustProxy: e.TRUST_PROXY === 'true',
    allowedOrigins: e.ALLOWED_ORIGINS,
    duplicateRadiusM: e.DUPLICATE_RADIUS_M,
    duplicateWindowHours: e.DUPLICATE_WINDOW_HOURS,
    escalationIntervalMs: Math.round(e.ESCALATION_INTERVAL_SECONDS * 1000),
    warningScanIntervalMs: Math.round(e.WARNING_SCAN_INTERVAL_SECONDS * 1000),
    maxPhotoBytes: e.MAX_PHOTO_BYTES,
    open311ReplayWindowMs: Math.round(e.OPEN311_REPLAY_WINDOW_MINUTES * 60_000),
    walkSpeedMps: e.WALK_SPEED_MPS,
    tileCacheBytes: Math.round(e.TILE_CACHE_MB * 2 ** 20),
    tileVersionTtlMs: e.TILE_VERSION_TTL_MS,
    photoStorage: photoStorageOf(e),
    workers: e.WORKERS,
    socketAdapter: socketAdapterOf(e),
    redisUrl: e.REDIS_URL,
  };
}
