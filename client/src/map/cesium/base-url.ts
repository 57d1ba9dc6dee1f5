// Cesium finds its workers and assets under CESIUM_BASE_URL (copied from node_modules/cesium/Build/Cesium
// by vite.config.ts). Set here, in a module imported before Cesium, because the server's CSP forbids inline scripts.
declare global {
  interface Window {
    CESIUM_BASE_URL?: string;
  }
}
window.CESIUM_BASE_URL = '/cesium/';
export {};
