/**
 * The one local HTTP origin every end-to-end test and benchmark starts: node:http on 127.0.0.1, an ephemeral port.
 * Fixture sites (lib/crawlsite.mjs, lib/site.mjs, tests/bench/lib/site.mjs) are route tables handed to it, not
 * servers of their own, so every test counts, gates, slows and stops its origin the same way.
 *
 * - `Cache-Control: no-store` by default, so Chrome's HTTP cache never answers in place of the origin (a stopped
 *   origin must look stopped; see docs/architecture.md, "Navigation failures"). Files from `dir` are always
 *   `no-store`: they are the code under test.
 * - Every request is logged (`log`: method, URL, path, headers, and whether its answer was sent or the client went
 *   away first), and every TCP connection is counted (`connections()`: a `<link rel=preconnect>` opens one and sends
 *   nothing), so tests can prove that nothing reached the origin.
 * - `hold()` / `open()` freeze requests at a known point; `down()` / `up()` stop and restart the origin on the same
 *   port (the same origin, so the same service worker and mirror); `setLatency()` slows every answer.
 * - TCP_NODELAY + keep-alive, so latencies measured against it aren't Nagle artefacts (a sequential client such as
 *   wget otherwise pays a ~40 ms delayed-ACK stall per request).
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.md': 'text/markdown; charset=utf-8',
};

/** @param {string} p */
export const contentType = (p) =>
  p.endsWith('/') ? TYPES['.html'] : TYPES[path.extname(p).toLowerCase()] || 'application/octet-stream';

/** The Last-Modified of every route served with validators. */
export const LAST_MODIFIED = 'Wed, 01 Jan 2025 00:00:00 GMT';

/**
 * @typedef {(req: http.IncomingMessage, res: http.ServerResponse, url: URL) => unknown} Handler
 * @typedef {string | Buffer | Handler | {status?: number, type?: string, headers?: Record<string, string>,
 *   body?: string | Buffer, delay?: number}} Route
 *   A string/Buffer is a 200 body whose type comes from the path's extension; an object sets what it names
 *   (`delay` holds the answer back that many ms); a function answers the request itself.
 * @typedef {{method: string, url: string, path: string, headers: http.IncomingHttpHeaders,
 *   state: 'open' | 'sent' | 'aborted', status?: number}} Logged
 *   `url` is the path with its query; `state` says whether the answer was sent in full or the client went first.
 */

/**
 * @param {string | {routes?: Record<string, Route> | {get(path: string): Route | undefined}, dir?: string,
 *   notFound?: Route, cacheControl?: string | null, validators?: boolean, latencyMs?: number,
 *   keepAliveMs?: number, dirAsSite?: boolean}} spec a directory to serve, or:
 *   - `routes`: exact paths (query ignored) → Route, as an object or anything with `get(path)` (a Map, a generated
 *     site); it can be changed while the server runs;
 *   - `dir`: files served for paths no route names, `no-store` (they are the code under test) unless `dirAsSite`
 *     serves them as the site's own (`cacheControl` and `validators` apply); `notFound`: the answer when nothing
 *     matches (default a 404);
 *   - `cacheControl`: for routes that set none (default `no-store`; `null` sends none, as most origins do);
 *   - `validators`: static routes carry an ETag (a hash of the body) and a Last-Modified, and a matching
 *     If-None-Match / If-Modified-Since gets a 304;
 *   - `latencyMs`: added before every answer (an origin's think time); `keepAliveMs`: idle socket lifetime.
 */
export async function startServer(spec) {
  const {
    routes = {},
    dir,
    notFound = { status: 404, type: 'text/plain; charset=utf-8', body: 'not found' },
    cacheControl = 'no-store',
    validators = false,
    latencyMs = 0,
    keepAliveMs = 5000,
    dirAsSite = false,
  } = typeof spec === 'string' ? { dir: spec } : spec;
  const lookup = typeof routes.get === 'function' ? (p) => routes.get(p) : (p) => (Object.hasOwn(routes, p) ? routes[p] : undefined);
  let latency = latencyMs;
  /** @type {Logged[]} */
  let log = [];
  /** @type {Set<string>} */
  const held = new Set();
  let gate = null;
  let release = () => {};
  const sockets = new Set();
  const counts = newCounts();

  /** @param {Route} route @param {string} typePath */
  async function answer(route, req, res, url, typePath) {
    if (typeof route === 'function') return route(req, res, url);
    const r = typeof route === 'string' || Buffer.isBuffer(route) ? { body: route } : route;
    if (r.delay) await new Promise((resolve) => setTimeout(resolve, r.delay));
    if (res.destroyed) return;
    const body = Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body ?? '');
    const status = r.status ?? 200;
    /** @type {Record<string, string | number>} */
    const headers = { 'Content-Type': r.type ?? contentType(typePath), 'Content-Length': body.length };
    if (cacheControl !== null) headers['Cache-Control'] = cacheControl;
    if (validators && status === 200) {
      headers.ETag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
      headers['Last-Modified'] = LAST_MODIFIED;
      if (notModified(req, headers.ETag)) {
        delete headers['Content-Type'];
        delete headers['Content-Length'];
        res.writeHead(304, { ...headers, ...r.headers });
        return res.end();
      }
    }
    res.writeHead(status, { ...headers, ...r.headers });
    if (req.method !== 'HEAD') counts.sent(body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function respond(req, res, url) {
    const route = lookup(url.pathname);
    if (route !== undefined && route !== null) return answer(route, req, res, url, url.pathname);
    if (dir) {
      const root = path.resolve(dir);
      const file = path.join(root, path.normalize(decodeURIComponent(url.pathname)));
      if (file.startsWith(root + path.sep) && (await stat(file).catch(() => null))?.isFile()) {
        const body = await readFile(file);
        if (dirAsSite) return answer({ type: contentType(file), body }, req, res, url, file);
        res.writeHead(200, { 'Content-Type': contentType(file), 'Content-Length': body.length, 'Cache-Control': 'no-store' });
        return res.end(req.method === 'HEAD' ? undefined : body);
      }
    }
    return answer(notFound, req, res, url, url.pathname);
  }

  const handler = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    /** @type {Logged} */
    const entry = { method: req.method ?? 'GET', url: url.pathname + url.search, path: url.pathname, headers: req.headers, state: 'open' };
    log.push(entry);
    counts.flight(+1);
    res.on('finish', () => {
      entry.state = 'sent';
      entry.status = res.statusCode;
      counts.answered(res.statusCode);
    });
    res.on('close', () => {
      if (entry.state === 'open') entry.state = 'aborted';
      counts.flight(-1);
    });
    try {
      if (gate) {
        held.add(entry.url);
        await gate;
        held.delete(entry.url);
        if (res.destroyed) return;
      }
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      if (res.destroyed) return;
      await respond(req, res, url);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' }).end(String(err));
      else res.destroy();
    }
  };

  let server;
  let port = 0;
  async function up() {
    server = http.createServer({ keepAlive: true, noDelay: true }, handler);
    server.keepAliveTimeout = keepAliveMs;
    server.headersTimeout = keepAliveMs + 5000;
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      sockets.add(socket);
      counts.connected(+1);
      socket.on('close', () => {
        sockets.delete(socket);
        counts.connected(-1);
      });
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  }
  /** Stops listening AND drops open keep-alive sockets, so the origin is really down (connection refused). */
  const down = () =>
    new Promise((resolve) => {
      if (!server.listening) return resolve(undefined);
      server.close(() => resolve(undefined));
      server.closeAllConnections();
    });
  await up();

  /** @param {(e: Logged) => boolean} keep @returns {Map<string, number>} URL (path + query) → how many */
  const tally = (keep) => {
    const m = new Map();
    for (const e of log) if (keep(e)) m.set(e.url, (m.get(e.url) ?? 0) + 1);
    return m;
  };

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    routes,
    /** Every request, in arrival order. */
    get log() {
      return log;
    },
    /** The path of every request, in arrival order. */
    get requests() {
      return log.map((e) => e.path);
    },
    /** URL → GET (non-HEAD) requests received. A HEAD (a probe of where a URL leads) transfers no body. */
    get asked() {
      return tally((e) => e.method !== 'HEAD');
    },
    /** URL → non-HEAD answers sent in full. */
    get finished() {
      return tally((e) => e.method !== 'HEAD' && e.state === 'sent');
    },
    /** URL → non-HEAD requests whose client went away before the answer was sent. */
    get aborted() {
      return tally((e) => e.method !== 'HEAD' && e.state === 'aborted');
    },
    /** URL → HEAD requests. */
    get heads() {
      return tally((e) => e.method === 'HEAD');
    },
    /** URLs of requests that carried a validator (If-None-Match / If-Modified-Since). */
    get conditional() {
      return log.filter((e) => e.headers['if-none-match'] || e.headers['if-modified-since']).map((e) => e.url);
    },
    /** TCP connections accepted so far (this run: see `reset()`). */
    connections: () => counts.connections,
    /** Requests arriving from now on wait until `open()`; `held` names those waiting. */
    hold() {
      gate ??= new Promise((resolve) => (release = resolve));
    },
    open() {
      gate = null;
      release();
    },
    held,
    /** @param {number} ms added before every answer from now on */
    setLatency(ms) {
      latency = ms;
    },
    /** Starts a new run: the log and counters are emptied; connections still open count toward its peak. */
    reset() {
      log = [];
      counts.reset();
    },
    /** This run's traffic: requests by status, bytes, connections and requests in flight (peak and mean). */
    stats: () => counts.snapshot(log),
    /** Drops idle keep-alive sockets (between runs, so one client's connections don't linger into the next). */
    dropIdle: () => server.closeIdleConnections(),
    down,
    /** Back up on the same port. */
    up,
    /** Down for good: held requests are let go first. */
    close() {
      this.open();
      for (const s of sockets) s.destroy();
      return down();
    },
  };
}

/**
 * @param {http.IncomingMessage} req
 * @param {string} etag
 */
function notModified(req, etag) {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);
  const ims = req.headers['if-modified-since'];
  return ims !== undefined && Date.parse(ims) >= Date.parse(LAST_MODIFIED);
}

/** Counters for one run: connections open and peak, requests in flight (peak, and their mean over the run). */
function newCounts() {
  const c = {
    connections: 0, open: 0, peakConnections: 0, inFlight: 0, peakInFlight: 0, byStatus: {}, bytes: 0,
    busyIntegral: 0, lastChange: 0, firstRequest: 0, lastResponse: 0,
  };
  return {
    get connections() {
      return c.connections;
    },
    connected(delta) {
      c.open += delta;
      if (delta > 0) c.connections += 1;
      c.peakConnections = Math.max(c.peakConnections, c.open);
    },
    flight(delta) {
      const now = performance.now();
      if (c.lastChange) c.busyIntegral += c.inFlight * (now - c.lastChange);
      c.lastChange = now;
      c.inFlight += delta;
      c.peakInFlight = Math.max(c.peakInFlight, c.inFlight);
      if (delta > 0 && !c.firstRequest) c.firstRequest = now;
      if (delta < 0) c.lastResponse = now;
    },
    answered(status) {
      c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    },
    /** Body bytes of a route's answer (files from `dir` and handlers' own answers aren't counted). */
    sent(bytes) {
      c.bytes += bytes;
    },
    reset() {
      Object.assign(c, { connections: 0, peakConnections: c.open, inFlight: 0, peakInFlight: 0, byStatus: {}, bytes: 0,
        busyIntegral: 0, lastChange: 0, firstRequest: 0, lastResponse: 0 });
    },
    snapshot(log) {
      return {
        requests: log.length,
        byStatus: { ...c.byStatus },
        distinctUrls: new Set(log.map((e) => e.path)).size,
        connections: c.connections,
        peakConnections: c.peakConnections,
        peakInFlight: c.peakInFlight,
        meanInFlight: c.lastResponse > c.firstRequest ? c.busyIntegral / (c.lastResponse - c.firstRequest) : 0,
        bytes: c.bytes,
      };
    },
  };
}
