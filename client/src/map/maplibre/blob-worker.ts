// maplibre's web worker started from a blob: URL (the phone page, under its service worker).
//
// A service worker controls a dedicated worker only when the worker's script URL is inside its
// scope, or when the worker is created from a blob: URL (it then inherits the page's controller).
// The phone page's service worker is scoped to /mobile, and maplibre's worker script lives under
// /assets/: loaded from its URL, the worker would neither be found offline nor have its tile
// requests cached. So the page fetches the script (through its service worker, which precached
// it) and hands maplibre a blob: URL (CSP worker-src allows blob:).
import { setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

let done: Promise<boolean> | null = null;

/** Point maplibre at a blob: copy of its worker script; call before the first map is created. */
export function useBlobMapWorker(): Promise<boolean> {
  done ??= (async () => {
    try {
      const res = await fetch(workerUrl);
      if (!res.ok) return false;
      const blob = new Blob([await res.arrayBuffer()], { type: 'text/javascript' });
      setWorkerUrl(URL.createObjectURL(blob));
      return true;
    } catch (e) {
      console.warn('[offline] map worker stays on its URL', e);
      return false;
    }
  })();
  return done;
}
