// Types for ensure.mjs (plain JS so that it runs before node_modules exists).
export declare const ROOT: string;
export declare const CLIENT_DIST: string;
export declare const CHROMIUM_APT_PACKAGES: string[];
export declare function log(msg: string): void;
export declare function run(
  cmd: string,
  args: string[],
  opts?: { env?: NodeJS.ProcessEnv; cwd?: string; stdio?: 'inherit' | 'ignore' | 'pipe' },
): Promise<{ code: number; signal: NodeJS.Signals | null }>;
export declare function dependencyState(): { stale: boolean; reason?: string; adopt?: boolean };
export declare function ensureDependencies(): Promise<void>;
export declare function clientBuildState(): { stale: boolean; reason?: string; missingSources?: boolean };
export declare function ensureClientBuilt(): Promise<void>;
export declare function parseDotEnv(text: string): Record<string, string>;
export declare function loadDotEnv(file?: string, env?: Record<string, string | undefined>): string[];
export declare function findChromium(env?: Record<string, string | undefined>): string | null;
export declare function seconds(startedMs: number): string;
