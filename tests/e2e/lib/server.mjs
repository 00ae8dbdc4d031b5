/**
 * Minimal local HTTP origin for tests: 127.0.0.1 on an ephemeral port, node:http only.
 * - `Cache-Control: no-store` by default, so Chrome's HTTP cache never answers in place of the origin
 *   (a stopped origin must look stopped; see docs/architecture.md, "Navigation failures").
 * - Every request path is logged in `requests` (with method and headers in `log`), and every TCP connection is
 *   counted (`connections`: a `<link rel=preconnect>` opens one and sends nothing), so tests can prove that
 *   nothing reached the origin.
 * - TCP_NODELAY + keep-alive so latency numbers measured against it aren't Nagle artefacts.
 */
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** @param {string} p */
export const contentType = (p) =>
  p.endsWith('/') ? TYPES['.html'] : TYPES[path.extname(p).toLowerCase()] || 'application/octet-stream';

/**
 * @typedef {string | Buffer | {status?: number, headers?: Record<string, string>, body?: string | Buffer}
 *   | ((req: http.IncomingMessage, res: http.ServerResponse) => void)} Route
 *   A string/Buffer is the body (type from the path's extension); a function handles the request itself.
 */

/**
 * @param {string | {routes?: Record<string, Route>, dir?: string}} spec a directory to serve, or
 *   routes (exact path, query ignored) with an optional directory as fallback
 * @returns {Promise<{origin: string, port: number, requests: string[], routes: Record<string, Route>,
 *   log: {method: string, path: string, headers: http.IncomingHttpHeaders}[], connections: () => number,
 *   close: () => Promise<void>}>} `routes` can be changed while the server runs
 */
export async function startServer(spec) {
  const { routes = {}, dir } = typeof spec === 'string' ? { dir: spec } : spec;
  /** @type {string[]} */
  const requests = [];
  /** @type {{method: string, path: string, headers: http.IncomingHttpHeaders}[]} */
  const log = [];
  let connections = 0;
  const server = http.createServer({ keepAlive: true, noDelay: true }, async (req, res) => {
    const pathname = new URL(req.url, 'http://127.0.0.1').pathname;
    requests.push(pathname);
    log.push({ method: req.method ?? 'GET', path: req.url ?? pathname, headers: req.headers });
    try {
      await respond(pathname, req, res);
    } catch (err) {
      if (!res.headersSent) send(res, 500, pathname, String(err));
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket) => {
    connections += 1;
    socket.setNoDelay(true);
  });

  async function respond(pathname, req, res) {
    const route = routes[pathname];
    if (typeof route === 'function') return route(req, res);
    if (typeof route === 'string' || Buffer.isBuffer(route)) return send(res, 200, pathname, route);
    if (route) return send(res, route.status ?? 200, pathname, route.body ?? '', route.headers);
    if (dir) {
      const root = path.resolve(dir);
      const file = path.join(root, path.normalize(decodeURIComponent(pathname)));
      if (file.startsWith(root + path.sep) && (await stat(file).catch(() => null))?.isFile()) {
        return send(res, 200, file, await readFile(file));
      }
    }
    send(res, 404, 'not-found.txt', 'not found');
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  let closed;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    log,
    connections: () => connections,
    routes,
    /** Stops listening AND drops open keep-alive sockets, so the origin is really down (connection refused). */
    close() {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {string} typePath a path whose extension decides Content-Type
 * @param {string | Buffer} body
 * @param {Record<string, string>} [headers]
 */
function send(res, status, typePath, body, headers = {}) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, {
    'Content-Type': contentType(typePath),
    'Content-Length': buf.length,
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(buf);
}
