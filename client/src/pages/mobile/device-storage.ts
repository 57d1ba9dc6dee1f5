// Where the outbox lives on the phone: IndexedDB (keeps photos as Blobs, survives reloads and
// restarts), or localStorage when IndexedDB is unavailable (photos kept as data URLs).
import { MemoryStorage, type OutboxItem, type OutboxStorage } from './outbox.js';

const DB_NAME = 'gridcommand-mobile';
const STORE = 'outbox';
const LS_KEY = 'gc.mobile.outbox';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export class IdbStorage implements OutboxStorage {
  private db: Promise<IDBDatabase>;

  constructor(name = DB_NAME) {
    this.db = new Promise((resolve, reject) => {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => {
        if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: 'clientKey' });
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
      open.onblocked = () => reject(new Error('IndexedDB blocked'));
    });
  }

  private async tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.db;
    const t = db.transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      t.oncomplete = () => resolve();
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error ?? new Error('transaction aborted'));
    });
    const out = await req(fn(t.objectStore(STORE)));
    await done; // durable before we say so
    return out;
  }

  async list(): Promise<OutboxItem[]> {
    return this.tx('readonly', (s) => s.getAll() as IDBRequest<OutboxItem[]>);
  }
  async put(item: OutboxItem): Promise<void> {
    await this.tx('readwrite', (s) => s.put(item));
  }
  async remove(clientKey: string): Promise<void> {
    await this.tx('readwrite', (s) => s.delete(clientKey));
  }
}

type Stored = Omit<OutboxItem, 'photo'> & { photo: string | null };

const toDataUrl = (b: Blob) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(b);
  });

export class LocalStorageStorage implements OutboxStorage {
  private read(): Stored[] {
    try {
      return JSON.parse(localStorage.getItem(LS_KEY) ?? '[]') as Stored[];
    } catch {
      return [];
    }
  }
  private write(items: Stored[]): void {
    localStorage.setItem(LS_KEY, JSON.stringify(items));
  }
  async list(): Promise<OutboxItem[]> {
    return Promise.all(this.read().map(async (s) => ({ ...s, photo: s.photo ? await (await fetch(s.photo)).blob() : null })));
  }
  async put(item: OutboxItem): Promise<void> {
    const stored: Stored = { ...item, photo: item.photo ? await toDataUrl(item.photo) : null };
    this.write([...this.read().filter((s) => s.clientKey !== item.clientKey), stored]);
  }
  async remove(clientKey: string): Promise<void> {
    this.write(this.read().filter((s) => s.clientKey !== clientKey));
  }
}

/** The best storage this browser offers, checked by a round trip; memory as the very last resort. */
export async function deviceStorage(): Promise<{ storage: OutboxStorage; kind: 'indexeddb' | 'localstorage' | 'memory' }> {
  try {
    if (typeof indexedDB !== 'undefined') {
      const s = new IdbStorage();
      await s.list();
      return { storage: s, kind: 'indexeddb' };
    }
  } catch (e) {
    console.warn('[outbox] IndexedDB unavailable', e);
  }
  try {
    localStorage.setItem(`${LS_KEY}.probe`, '1');
    localStorage.removeItem(`${LS_KEY}.probe`);
    return { storage: new LocalStorageStorage(), kind: 'localstorage' };
  } catch {
    return { storage: new MemoryStorage(), kind: 'memory' };
  }
}
