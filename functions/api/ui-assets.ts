/**
 * Serves the run viewer's static files (built by local/ui-build.ts) under
 * /ui/, the same way from Lambda and from `baton dev`: read once into memory,
 * each answer with a strict Content-Security-Policy (scripts and styles only
 * from this origin, no inline script or style, no framing, the API the only
 * place to connect to). The page itself needs no key; every API call it makes
 * sends one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': UI_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface UiAssets {
  readonly files: ReadonlyMap<string, { readonly body: string; readonly type: string }>;
}

/** Every file of a built UI directory, by its path under /ui/. */
export function loadUiAssets(dir: string): UiAssets {
  const files = new Map<string, { body: string; type: string }>();
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const type = TYPES[extname(name)];
        if (type) files.set(relative(dir, path).split(sep).join('/'), { body: readFileSync(path, 'utf8'), type });
      }
    }
  };
  walk(dir);
  if (!files.has('index.html')) throw new Error(`${dir} holds no index.html: build the UI first (npm run build:ui)`);
  return { files };
}

/** The built UI, or none (logged once): a deployment without it still serves the API. */
export function loadUiAssetsIfBuilt(dir: string, log: (line: string) => void = console.error): UiAssets | undefined {
  if (!existsSync(join(dir, 'index.html'))) {
    log(`api: no run viewer built in ${dir}; /ui/ answers 404`);
    return undefined;
  }
  return loadUiAssets(dir);
}

export function isUiPath(path: string): boolean {
  return path === '/ui' || path.startsWith('/ui/');
}

/** The answer for a /ui path: a file, the index for /ui/, 404 for anything else. */
export interface UiAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
  /** The body is a file's text, sent as it is; otherwise JSON. */
  readonly raw?: boolean;
}

export function serveUi(assets: UiAssets | undefined, request: { readonly method: string; readonly path: string }): UiAnswer {
  const path = request.path;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return { status: 405, headers: { allow: 'GET, HEAD' }, body: { error: { code: 'method_not_allowed', message: `${path} takes GET` } } };
  }
  // Relative asset URLs in index.html resolve against /ui/, so /ui itself redirects there.
  if (path === '/ui') return { status: 308, headers: { location: '/ui/' }, body: null };
  if (!assets) return { status: 404, body: { error: { code: 'ui_not_built', message: 'the run viewer is not built on this deployment' } } };
  const name = path.slice('/ui/'.length) || 'index.html';
  const file = assets.files.get(name);
  if (!file) return { status: 404, body: { error: { code: 'not_found', message: `no file ${path}` } } };
  // Bundles carry a content hash in their names: cache them for good; the index never.
  const cache = name === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable';
  return { status: 200, raw: true, headers: { ...SECURITY_HEADERS, 'content-type': file.type, 'cache-control': cache }, body: file.body };
}
