/**
 * "Mirror this site": the whole-site crawl, run by the background service worker.
 *
 * Policy is the engine's (`CrawlPolicy`, Rust: scope, robots.txt, traps, limits, pacing, retries — see
 * docs/engine-api.md); this file fetches, extracts links (`extractLinks`), stores and schedules.
 *
 * Why it survives the worker being stopped: the frontier lives in the store, and a fetched URL's capture, the
 * links found in it and its "done" are written in ONE transaction (`MirrorStore.record(captures, settle,
 * found)`). A restarted worker reloads the frontier, re-seeds the policy and fetches what is still queued: a
 * URL whose response was stored is never fetched again; one whose response wasn't is fetched once more. The
 * job itself (options, state, byte count) is kept in chrome.storage.local; an alarm wakes the worker while a
 * crawl runs, and any event that starts the worker resumes running crawls first.
 */
import { KEPT_HEADERS } from './capture.js';
import { documentKind } from './replay.js';

/** chrome.alarms name that wakes a stopped worker while a crawl runs (30 s is Chrome's minimum period). */
export const ALARM = 'sitemirror-crawl';
const JOB_PREFIX = 'crawl:';

/** A batch is written when it holds this many captures or bytes, or this long after its first item. */
const BATCH_CAPTURES = 48;
const BATCH_BYTES = 8 << 20;
const BATCH_MS = 150;
/** Requests in flight across all hosts (per-host limits are the policy's). */
const MAX_IN_FLIGHT = 24;
/** How far into the queue the scheduler looks for a host that may start a request now. */
const SCAN = 64;
/** The sitemaps.org limit on one sitemap, uncompressed. Also what a gzip bomb is stopped at. */
const MAX_SITEMAP_BYTES = 50 * 1024 * 1024;
/** Nested sitemaps followed per crawl (a sitemap index can list thousands). */
const MAX_SITEMAPS = 20;
const REPORT_MAX = 2000;

/** Set by the background script. @type {{engine: any, store: () => Promise<any>, origin: string}} */
let context;

/** Running crawls, by site id. @type {Map<string, Runner>} */
const runners = new Map();

/**
 * Redirects of our own fetches, seen by chrome.webRequest. The crawl fetches with `redirect: 'manual'`, which
 * gives an opaque response without the Location; the hop itself (status, target) arrives as a webRequest event,
 * usually a few ms AFTER fetch() resolved. Each redirect then becomes a 3xx capture and its target a URL of the
 * frontier like any link: a target already known is not fetched again, and loops end by themselves.
 * request URL → {status, location}, and request URL → resolver of a fetch waiting for its hop.
 */
const hops = new Map();
const hopWaiters = new Map();
/** How long a fetch waits for its redirect's webRequest event before giving up on it. */
const HOP_WAIT_MS = 3000;
/** Redirects followed in a row before the chain counts as a loop. */
const MAX_REDIRECTS = 10;

/** @param {{engine: any, store: () => Promise<any>, origin: string}} ctx */
export function configure(ctx) {
  context = ctx;
}

/** webRequest.onBeforeRedirect listener (registered synchronously by background.js). */
export function onRedirect(d) {
  if (d.tabId !== -1 || d.initiator !== context?.origin) return;
  const hop = { status: d.statusCode, location: d.redirectUrl };
  const waiter = hopWaiters.get(d.url);
  if (waiter) waiter(hop);
  else if (hops.size < 10_000) hops.set(d.url, hop);
}

/** The redirect a fetch of `url` just received, or null if its event never came. */
function hopOf(url) {
  const known = hops.get(url);
  if (known) {
    hops.delete(url);
    return Promise.resolve(known);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      hopWaiters.delete(url);
      resolve(null);
    }, HOP_WAIT_MS);
    hopWaiters.set(url, (hop) => {
      clearTimeout(timer);
      hopWaiters.delete(url);
      resolve(hop);
    });
  });
}

const jobKey = (site) => JOB_PREFIX + site;

async function loadJob(site) {
  return (await chrome.storage.local.get(jobKey(site)))[jobKey(site)] ?? null;
}

async function saveJob(job) {
  await chrome.storage.local.set({ [jobKey(job.site)]: job });
}

/** Every crawl job on record. */
async function allJobs() {
  const all = await chrome.storage.local.get(null);
  return Object.entries(all)
    .filter(([k]) => k.startsWith(JOB_PREFIX))
    .map(([, v]) => v);
}

/** The address spaces a site can be in, most open first (Chromium's `targetAddressSpace` values). */
const SPACES = ['public', 'local', 'loopback'];

/**
 * Where a start URL leads and which address space its site answers from — asked without the user's cookies.
 *
 * Where it leads: a site typed as `http://example.com` usually redirects to `https://www.example.com/`, another
 * origin, which the crawl would then treat as out of scope; the caller shows the user where it leads and asks
 * before mirroring that other site. One HEAD request per probe (the crawl fetches the page itself).
 *
 * Which address space: every later request of the crawl states the space it may reach (`targetAddressSpace`),
 * and Chromium refuses, before sending anything, a request whose host turns out to be elsewhere (DNS rebinding
 * included). The site's own space is found by asking in each space until one answers; a host private by its
 * very name (an IP literal, `localhost`, `*.local`) is in that space. Nothing answering: public, the strictest.
 * @param {string} url
 * @returns {Promise<{url: string, space: 'public' | 'local' | 'loopback'}>}
 */
export async function probe(url) {
  const byName = context.engine.addressSpaceByName(url);
  for (const space of byName ? [byName] : SPACES) {
    const head = (redirect) =>
      fetch(url, { method: 'HEAD', redirect, credentials: 'omit', cache: 'no-store', targetAddressSpace: space, signal: AbortSignal.timeout(10_000) });
    // Following the redirects answers both questions; a redirect into another space fails the follow, so the
    // start URL alone is asked again.
    const res = (await head('follow').catch(() => null)) ?? (await head('manual').catch(() => null));
    if (res) return { url: res.redirected && res.url ? res.url : url, space };
  }
  return { url, space: byName ?? 'public' };
}

/**
 * The address space a mirrored site's own origin answers from: probed once (without cookies) and kept with the
 * site (`settings.addressSpace`), for capture as you browse; a crawl probes again when it starts.
 * @param {{id: string, startUrl: string, settings?: Record<string, string>}} site
 */
export async function siteSpace(site) {
  const known = site.settings?.addressSpace;
  if (known) return known;
  const { space } = await probe(site.startUrl);
  await keepSpace(site, space);
  return space;
}

async function keepSpace(site, space) {
  const store = await context.store();
  const current = (await store.site(site.id)) ?? site;
  if (current.settings?.addressSpace === space) return;
  await store.putSite({ ...current, settings: { ...(current.settings ?? {}), addressSpace: space } });
}

/** Throws the engine's `crawl/invalid-config` (or `url/invalid`) for options a crawl from `startUrl` can't use. */
export function validate(startUrl, options) {
  new context.engine.CrawlPolicy(startUrl, options).free();
}

/**
 * Starts a crawl of `site` from `startUrl`. A running or paused crawl of the site is returned as it is.
 * @param {{id: string}} site @param {string} startUrl @param {object} options @param {'mirror' | 'update'} kind
 */
export async function start(site, startUrl, options = {}, kind = 'mirror', space) {
  const existing = await loadJob(site.id);
  if (existing && (existing.state === 'running' || existing.state === 'paused')) return existing;
  // Validates the options (crawl/invalid-config) and fills in the defaults before anything is written.
  const policy = new context.engine.CrawlPolicy(startUrl, options);
  const addressSpace = space ?? (await probe(startUrl)).space;
  policy.setSiteSpace(addressSpace);
  await keepSpace(site, addressSpace);
  const now = Date.now();
  const job = {
    site: site.id,
    id: `crawl-${now.toString(36)}`,
    kind,
    state: 'running',
    startUrl,
    options: policy.options(),
    started: now,
    finished: null,
    bytes: 0,
    fetched: 0,
    error: null,
    seeded: false,
    addressSpace,
  };
  const store = await context.store();
  await store.clearFrontier(site.id);
  await saveJob(job);
  await armAlarm();
  launch(job, policy);
  return publicJob(job);
}

/** "Update now": the site crawled again with the last crawl's options, unchanged content costing a 304. */
export async function update(site) {
  const last = await loadJob(site.id);
  if (last && (last.state === 'running' || last.state === 'paused')) return publicJob(last);
  return start(site, last?.startUrl ?? site.startUrl, last?.options ?? {}, 'update', undefined);
}

/** Resumes every crawl that was running when the worker stopped. Called on every worker start and alarm. */
export async function resumeAll() {
  for (const job of await allJobs()) {
    if (job.state === 'running' && !runners.has(job.site)) launch(job);
  }
  await armAlarm();
}

function launch(job, policy) {
  const runner = new Runner(job, policy);
  runners.set(job.site, runner);
  runner.run().catch((err) => runner.fail(err));
}

/**
 * The job as it stands: a running crawl's own copy (its counters are live, and state changes must go through
 * it so the runner's next save doesn't undo them), else the stored one.
 */
async function currentJob(siteId) {
  return runners.get(siteId)?.job ?? (await loadJob(siteId));
}

/** Pause: in-flight requests are aborted (their URLs stay queued), what was fetched is written. */
export async function pause(siteId) {
  const job = await currentJob(siteId);
  if (!job) return null;
  if (job.state === 'running') {
    job.state = 'paused';
    await saveJob(job);
    await runners.get(siteId)?.stop();
    await saveJob(job);
    await armAlarm();
  }
  return publicJob(job);
}

export async function resume(siteId) {
  const job = await currentJob(siteId);
  if (!job) return null;
  if (job.state === 'paused') {
    job.state = 'running';
    await saveJob(job);
    await armAlarm();
    if (!runners.has(siteId)) launch(job);
  }
  return publicJob(job);
}

/** Cancel: the crawl ends; what it stored stays, what it hadn't fetched is recorded as skipped. */
export async function cancel(siteId) {
  const job = await currentJob(siteId);
  if (!job) return null;
  if (job.state === 'running' || job.state === 'paused') {
    job.state = 'cancelled';
    job.finished = Date.now();
    await saveJob(job);
    await runners.get(siteId)?.stop();
    await saveJob(job);
    await settleQueued(siteId, 'crawl/cancelled: the crawl was cancelled before this URL was fetched');
    await armAlarm();
    await badge();
  }
  return publicJob(job);
}

/** Forgets a site's crawl (the site is being deleted). */
export async function forget(siteId) {
  await runners.get(siteId)?.stop();
  await chrome.storage.local.remove(jobKey(siteId));
  await armAlarm();
  await badge();
}

/** `crawl/status`: the job and its frontier counts. */
export async function status(siteId) {
  const job = await loadJob(siteId);
  const runner = runners.get(siteId);
  const counts = runner?.counts ? { ...runner.counts } : await (await context.store()).frontierCounts(siteId);
  const settled = counts.done + counts.failed;
  const progress = settled + counts.queued === 0 ? (job?.state === 'done' ? 1 : 0) : settled / (settled + counts.queued);
  return { job: job ? publicJob(runner ? runner.job : job) : null, counts, progress };
}

/** `crawl/report`: URLs that failed or were skipped, with their reasons. */
export async function report(siteId) {
  const frontier = await (await context.store()).frontier(siteId);
  const bad = frontier.filter((e) => e.state === 'failed' || e.state === 'skipped');
  bad.sort((a, b) => (a.state === b.state ? a.depth - b.depth || (a.url < b.url ? -1 : 1) : a.state === 'failed' ? -1 : 1));
  return {
    entries: bad.slice(0, REPORT_MAX).map((e) => ({ url: e.url, page: e.page, state: e.state, reason: e.reason ?? '', depth: e.depth })),
    truncated: bad.length > REPORT_MAX,
  };
}

/** What the UI sees of a job (internal fields dropped). */
function publicJob(job) {
  const { seeded, robotsStatus, ...rest } = job;
  return rest;
}

async function settleQueued(siteId, reason) {
  const store = await context.store();
  const queued = await store.queued(siteId, 1_000_000);
  if (queued.length === 0) return;
  const at = Date.now();
  await store.record([], queued.map((e) => ({ site: siteId, url: e.url, state: 'skipped', reason, at })));
}

/** The alarm runs while any crawl runs, so a stopped worker is woken to continue it. */
async function armAlarm() {
  const running = (await allJobs()).some((j) => j.state === 'running');
  if (running) {
    if (!(await chrome.alarms.get(ALARM))) await chrome.alarms.create(ALARM, { periodInMinutes: 0.5 });
  } else {
    await chrome.alarms.clear(ALARM);
  }
}

/** Badge on the action icon: progress of the running crawl(s), cleared when none runs. */
async function badge() {
  const active = [...runners.values()].filter((r) => r.running);
  if (active.length === 0) {
    await chrome.action.setBadgeText({ text: '' });
    return;
  }
  const c = active.reduce((sum, r) => sum + r.counts.done + r.counts.failed, 0);
  const q = active.reduce((sum, r) => sum + r.counts.queued, 0);
  const pct = c + q === 0 ? 0 : Math.floor((100 * c) / (c + q));
  await chrome.action.setBadgeBackgroundColor({ color: '#1a73e8' });
  await chrome.action.setBadgeText({ text: `${pct}%` });
}

async function notifyDone(job, counts) {
  const failed = counts.failed ? `, ${counts.failed} failed` : '';
  const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
  try {
    await chrome.notifications.create(`sitemirror-${job.id}`, {
      type: 'basic',
      iconUrl: chrome.runtime.getURL('icons/icon-128.png'),
      title: 'Site mirrored',
      message: `${job.site}: ${counts.done} pages and files stored${failed}${skipped}.`,
    });
  } catch (err) {
    console.warn('sitemirror: notification failed', err);
  }
}

const hostOf = (url) => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};

/** A FIFO that also allows taking from the middle (when the head's host must wait). */
class Queue {
  constructor() {
    this.items = [];
    this.head = 0;
  }
  get length() {
    return this.items.length - this.head;
  }
  push(x) {
    this.items.push(x);
  }
  unshift(x) {
    if (this.head > 0) this.items[--this.head] = x;
    else this.items.unshift(x);
  }
  at(i) {
    return this.items[this.head + i];
  }
  take(i) {
    const x = this.items[this.head + i];
    if (i === 0) {
      this.items[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    } else {
      this.items.splice(this.head + i, 1);
    }
    return x;
  }
}

/** One running crawl. */
class Runner {
  constructor(job, policy) {
    this.job = job;
    this.policy = policy;
    this.site = job.site;
    this.running = true;
    /** Resources first: they complete the pages already stored before the crawl moves deeper. */
    this.resources = new Queue();
    this.pages = new Queue();
    this.inFlight = new Map(); // url → AbortController
    this.retries = 0; // retries waiting on a timer
    this.pending = { captures: [], settle: [], found: [], bytes: 0, fetched: 0 };
    this.batchTimer = undefined;
    this.writing = Promise.resolve();
    this.wake = undefined;
    this.counts = null;
    /** This run's redirects (URL → target), for loop detection. */
    this.redirectOf = new Map();
    this.done = new Promise((resolve) => (this.finishedRun = resolve));
  }

  async run() {
    const store = (this.store = await context.store());
    if (!this.policy) this.policy = new context.engine.CrawlPolicy(this.job.startUrl, this.job.options);
    // A job saved before address spaces were recorded counts as public: the strictest.
    this.policy.setSiteSpace(this.job.addressSpace ?? 'public');
    const frontier = await store.frontier(this.site);
    this.policy.seed(frontier);
    this.policy.addBytes(this.job.bytes);
    this.counts = { queued: 0, done: 0, failed: 0, skipped: 0 };
    for (const e of frontier) this.counts[e.state] += 1;
    if (!this.job.seeded) {
      await this.seed();
    } else {
      await this.loadRobots();
      frontier
        .filter((e) => e.state === 'queued')
        .sort((a, b) => a.depth - b.depth)
        .forEach((e) => this.enqueue(e));
    }
    this.pump();
    await badge();
    await this.done;
  }

  /**
   * A fresh crawl: robots.txt first (stored; its rules and sitemaps go to the policy), then the sitemaps that
   * exist (stored; their pages become seeds at depth 1), then the start URL. robots.txt and sitemaps are fetched
   * here, not through the queue, so a site without them gets no "failed" entries for files it never had.
   */
  async seed() {
    const now = Date.now();
    const robotsUrl = new URL('/robots.txt', this.job.startUrl).href;
    const robots = await this.fetchDirect(robotsUrl);
    const info = this.policy.robots(robots.text, robots.status);
    // Kept for a resumed crawl: an unreachable or 5xx robots.txt (disallow all) isn't stored, but must still rule.
    this.job.robotsStatus = robots.status;
    const captures = [];
    const found = [];
    const keep = (fetched, page) => {
      if (!fetched.capture) return;
      captures.push(fetched.capture);
      this.job.bytes += fetched.capture.body.length;
      for (const e of this.policy.admit(null, [{ url: fetched.capture.url, page }], now)) {
        e.state = 'done';
        found.push(e);
        this.counts.done += 1;
      }
    };
    // A robots.txt the site has is part of its mirror; a 404 only means "no rules" and is not kept.
    if (robots.status < 400) keep(robots, false);
    const sitemaps = [...new Set([...(info.sitemaps || []), new URL('/sitemap.xml', this.job.startUrl).href])];
    const seeds = [{ url: this.job.startUrl, page: true }];
    const admitSeeds = (parent, links) => {
      for (const e of this.policy.admit(parent, links, now)) {
        found.push(e);
        this.admitted(e);
      }
    };
    admitSeeds(null, seeds);
    // A sitemap that is there but can't be read is reported (crawl/bad-sitemap), not silently passed over.
    const unreadable = (fetched, why) => {
      for (const e of this.policy.admit(null, [{ url: fetched.capture.url, page: false }], now)) {
        e.state = 'failed';
        e.reason = `crawl/bad-sitemap: ${why}`;
        found.push(e);
        this.counts.failed += 1;
      }
    };
    for (let i = 0; i < sitemaps.length && i < MAX_SITEMAPS; i++) {
      const fetched = await this.fetchDirect(sitemaps[i]);
      if (!fetched.capture || fetched.status !== 200) continue;
      let map;
      try {
        map = this.policy.sitemap(await sitemapText(fetched.capture.body), fetched.capture.url);
      } catch (err) {
        unreadable(fetched, err?.message || String(err));
        continue;
      }
      keep(fetched, false);
      for (const nested of map.sitemaps) if (!sitemaps.includes(nested)) sitemaps.push(nested);
      // Sitemap pages are depth 1, like the start page's links.
      admitSeeds({ url: fetched.capture.url, depth: 0, run: 0 }, map.pages.map((url) => ({ url, page: true })));
    }
    await this.store.record(captures, [], found.map(({ host, attempt, ...entry }) => entry));
    this.job.seeded = true;
    await saveJob(this.job);
  }

  keyOf(url) {
    try {
      return context.engine.canonicalKey(url);
    } catch {
      return url;
    }
  }

  /** A resumed crawl gets the robots.txt rules from the mirror, not by asking the origin again. */
  async loadRobots() {
    const robotsUrl = this.keyOf(new URL('/robots.txt', this.job.startUrl).href);
    const found = await this.store.lookup(robotsUrl, undefined);
    if (!found) {
      this.policy.robots('', this.job.robotsStatus ?? 404);
      return;
    }
    const body = await this.store.body(found.digest);
    const bytes = body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : body;
    this.policy.robots(new TextDecoder().decode(bytes ?? new Uint8Array()), found.status);
  }

  /**
   * How the crawl may fetch `url` — `{credentials, targetAddressSpace}` for fetch() — or null when the site may
   * not make the browser request it (then `refused` says why). The policy decides: the user's cookies only on the
   * site's own origin, private addresses only for the site's own origin when the site itself is private.
   */
  plan(url) {
    const plan = this.policy.request(url);
    return plan.refused ? null : plan;
  }

  /** Fetches one URL outside the queue (robots.txt, sitemaps); never throws. */
  async fetchDirect(url) {
    const started = Date.now();
    const plan = this.plan(url);
    if (!plan) return { status: 0, text: '', capture: null };
    try {
      const res = await fetch(url, { ...plan, cache: 'no-store', signal: AbortSignal.timeout(this.job.options.timeoutMs) });
      const body = new Uint8Array(await res.arrayBuffer());
      const headers = keptHeaders(res.headers);
      const capture = { site: this.site, url: this.keyOf(res.url || url), at: started, status: res.status, headers, body, source: this.job.id };
      return { status: res.status, text: res.ok ? new TextDecoder().decode(body) : '', capture };
    } catch {
      return { status: 0, text: '', capture: null };
    }
  }

  /** Counts a newly admitted entry and queues it when it is to be fetched. */
  admitted(e) {
    this.counts[e.state] += 1;
    if (e.state === 'queued') this.enqueue(e);
  }

  enqueue(e) {
    e.host = hostOf(e.url);
    e.attempt = 1;
    (e.page ? this.pages : this.resources).push(e);
  }

  /** Starts as many requests as the policy's per-host limits and the global cap allow. */
  pump() {
    if (!this.running) return;
    clearTimeout(this.wake);
    this.wake = undefined;
    let waitMs = Infinity;
    const blocked = new Set();
    while (this.inFlight.size < MAX_IN_FLIGHT) {
      const now = Date.now();
      let picked;
      for (const q of [this.resources, this.pages]) {
        const n = Math.min(q.length, SCAN);
        for (let i = 0; i < n && !picked; i++) {
          const e = q.at(i);
          if (blocked.has(e.host)) continue;
          const slot = this.policy.slot(e.host, now);
          if (slot === 0) picked = q.take(i);
          else {
            blocked.add(e.host);
            if (slot > 0) waitMs = Math.min(waitMs, slot);
          }
        }
        if (picked) break;
      }
      if (!picked) break;
      this.fetchOne(picked).catch((err) => this.fail(err));
    }
    if (waitMs !== Infinity) this.wake = setTimeout(() => this.pump(), waitMs);
    if (this.inFlight.size === 0 && this.resources.length === 0 && this.pages.length === 0 && this.retries === 0) {
      this.complete().catch((err) => this.fail(err));
    }
  }

  /** Fetches one frontier entry and hands the outcome to the policy. */
  async fetchOne(e) {
    const controller = new AbortController();
    this.inFlight.set(e.url, controller);
    const started = Date.now();
    this.policy.started(e.host, started);
    const headers = this.job.kind === 'update' ? await this.validators(e.url) : {};
    const timer = setTimeout(() => controller.abort('timeout'), this.job.options.timeoutMs);
    let res;
    let body;
    let error;
    try {
      const plan = this.plan(e.url);
      if (!plan) throw new Error('refused'); // admit() refuses such hosts already; this is the backstop
      res = await fetch(e.url, { ...plan, cache: 'no-store', redirect: 'manual', signal: controller.signal, headers: headers.request });
      if (res.type === 'opaqueredirect') {
        const hop = await hopOf(e.url);
        if (hop) res = { hop, status: hop.status, headers: new Headers({ location: hop.location }) };
        else error = 'network';
        body = new Uint8Array(0);
      } else {
        body = await readCapped(res, this.job.options.maxResourceBytes, controller);
        if (body === null) error = 'too-large';
      }
    } catch {
      error = controller.signal.aborted ? (controller.signal.reason === 'timeout' ? 'timeout' : 'aborted') : 'network';
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(e.url);
    }
    if (!this.running) return;
    const now = Date.now();
    const result = { elapsedMs: now - started, attempt: e.attempt, now };
    if (error) result.error = error;
    else {
      result.status = res.status;
      const retryAfter = res.headers.get('retry-after');
      if (retryAfter) result.retryAfter = retryAfter;
    }
    const decision = this.policy.finished(e.host, e.url, result);
    if (decision.action === 'retry') {
      this.retries += 1;
      setTimeout(() => {
        this.retries -= 1;
        e.attempt += 1;
        (e.page ? this.pages : this.resources).unshift(e);
        this.pump();
      }, decision.delayMs);
    } else {
      this.settle(e, decision, res, body, headers, now);
    }
    this.pump();
  }

  /** For "Update now": the stored version's validators, sent as a conditional request. */
  async validators(url) {
    const stored = await this.store.lookup(url, undefined);
    if (!stored || stored.status >= 300) return {};
    const get = (n) => stored.headers.find(([k]) => k === n)?.[1];
    const request = {};
    if (get('etag')) request['If-None-Match'] = get('etag');
    if (get('last-modified')) request['If-Modified-Since'] = get('last-modified');
    return Object.keys(request).length ? { request, stored } : {};
  }

  /** Records a finished URL: its capture(s), the links found in it, its new state. Written in batches. */
  settle(e, decision, res, body, validators, now) {
    const p = this.pending;
    const state = decision.action; // done | failed | skipped
    p.settle.push({ site: this.site, url: e.url, state, reason: decision.reason ?? undefined, at: now });
    this.counts.queued -= 1;
    this.counts[state] += 1;
    if (decision.store && res?.hop) {
      this.redirect(e, res.hop, now);
    } else if (decision.store && res) {
      const headers = keptHeaders(res.headers);
      const capture = { site: this.site, url: e.url, at: now, status: res.status, headers, source: this.job.id };
      if (res.status === 304 && validators.stored) {
        // Unchanged: a new version that points at the stored body (no new bytes); links come from that body.
        capture.status = validators.stored.status;
        capture.headers = mergeHeaders(validators.stored.headers, headers);
        capture.unchanged = validators.stored.digest;
        p.captures.push(capture);
        this.linksLater(e, capture.headers, validators.stored.digest);
      } else {
        capture.body = body ?? new Uint8Array(0);
        p.captures.push(capture);
        p.bytes += capture.body.length;
        this.job.bytes += capture.body.length;
        if (!this.policy.addBytes(capture.body.length)) this.overBudget = true;
        if (res.status < 300) this.links(e, headers, capture.body, now);
      }
    }
    this.job.fetched += 1;
    this.schedule();
    if (this.overBudget) this.stopForBudget().catch((err) => this.fail(err));
  }

  /**
   * A redirect: stored as a 3xx capture (replay follows it), its target admitted like a link of the same kind at
   * the same depth. A target that leads back here, or a chain longer than MAX_REDIRECTS, is a loop: every URL
   * of it is recorded as failed.
   */
  redirect(e, hop, now) {
    const p = this.pending;
    const target = this.keyOf(hop.location);
    p.captures.push({ site: this.site, url: e.url, at: now, status: hop.status, headers: [['location', target]], body: new Uint8Array(0), source: this.job.id });
    this.redirectOf.set(e.url, target);
    const chain = [e.url];
    for (let at = target; at !== undefined && chain.length <= MAX_REDIRECTS; at = this.redirectOf.get(at)) {
      if (chain.includes(at)) {
        const reason = `crawl/redirect-loop: redirects go round in a loop (${chain.length} URLs)`;
        for (const url of chain) p.settle.push({ site: this.site, url, state: 'failed', reason, at: now });
        this.counts.done -= chain.length;
        this.counts.failed += chain.length;
        return;
      }
      chain.push(at);
    }
    if (chain.length > MAX_REDIRECTS) {
      p.settle.push({ site: this.site, url: e.url, state: 'failed', reason: `crawl/redirect-loop: more than ${MAX_REDIRECTS} redirects in a row`, at: now });
      this.counts.done -= 1;
      this.counts.failed += 1;
      return;
    }
    const parent = { url: e.url, depth: e.page ? Math.max(0, e.depth - 1) : e.depth, run: e.run ?? 0 };
    for (const entry of this.policy.admit(parent, [{ url: target, page: e.page }], now)) {
      p.found.push(entry);
      this.admitted(entry);
    }
  }

  /** Links of a stored HTML page or stylesheet, admitted by the policy and queued. */
  links(e, headers, body, now) {
    const url = e.url;
    // Links come from what replay will show as a page — HTML, XHTML, SVG, XML, an untyped text body — decided as
    // the browser decides it (the engine's replayTreatment), and from stylesheets.
    const kind = documentKind(context.engine, headers, body);
    let found;
    try {
      if (kind === 'html') {
        found = context.engine.extractLinks(body, { url, contentType: headers.find(([n]) => n === 'content-type')?.[1] });
      } else if (kind === 'css') {
        found = context.engine.extractLinks(body, { url, kind: 'css' });
      }
    } catch (err) {
      // A document the engine refuses (memory limit, bad charset…) is still stored; it just yields no links.
      console.warn('sitemirror: no links from', url, err);
    }
    if (!found) return;
    const links = [...found.pages.map((u) => ({ url: u, page: true })), ...found.resources.map((u) => ({ url: u, page: false }))];
    if (links.length === 0) return;
    for (const entry of this.policy.admit({ url, depth: e.depth, run: e.run ?? 0 }, links, now)) {
      this.pending.found.push(entry);
      this.admitted(entry);
    }
  }

  /** A 304's links come from the stored body (read before the next batch is written). */
  linksLater(e, headers, digest) {
    if (documentKind(context.engine, headers, new Uint8Array(0)) === 'raw') return;
    this.retries += 1; // keeps the crawl from completing before these links are in
    const work = (async () => {
      try {
        const stored = await this.store.body(digest);
        const bytes = stored instanceof Blob ? new Uint8Array(await stored.arrayBuffer()) : stored;
        if (bytes && this.running) this.links(e, headers, bytes, Date.now());
      } finally {
        this.retries -= 1;
        this.pump();
      }
    })();
    work.catch((err) => this.fail(err));
  }

  /** Writes the pending batch when it is big enough, or soon. */
  schedule() {
    const p = this.pending;
    if (p.captures.length >= BATCH_CAPTURES || p.bytes >= BATCH_BYTES) {
      this.flush();
    } else if (!this.batchTimer) {
      this.batchTimer = setTimeout(() => this.flush(), BATCH_MS);
    }
  }

  /** Writes what is pending in one transaction; writes are serialised in order. */
  flush() {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const p = this.pending;
    if (p.captures.length === 0 && p.settle.length === 0 && p.found.length === 0) return this.writing;
    this.pending = { captures: [], settle: [], found: [], bytes: 0, fetched: 0 };
    const found = p.found.map(({ host, attempt, ...entry }) => entry);
    this.writing = this.writing.then(async () => {
      await this.store.record(p.captures, p.settle, found);
      await saveJob(this.job);
      await badge();
    });
    this.writing.catch((err) => this.fail(err));
    return this.writing;
  }

  /** maxBytes reached: the rest is recorded as skipped and the crawl ends. */
  async stopForBudget() {
    if (this.stopping) return;
    this.stopping = true;
    await this.stop();
    await settleQueued(this.site, 'crawl/max-bytes: the crawl reached its size limit');
    await this.finish('done');
  }

  /** Stops fetching: in-flight requests are aborted (their URLs stay queued), pending results are written. */
  async stop() {
    this.running = false;
    clearTimeout(this.wake);
    for (const controller of this.inFlight.values()) controller.abort('stopped');
    this.inFlight.clear();
    await this.flush().catch(() => {});
    runners.delete(this.site);
    this.finishedRun();
    await badge();
  }

  async complete() {
    if (this.completing) return;
    this.completing = true;
    await this.flush();
    this.running = false;
    runners.delete(this.site);
    await this.finish('done');
    this.finishedRun();
  }

  async finish(state) {
    const stored = await loadJob(this.site);
    if (stored && stored.id !== this.job.id) return; // a newer crawl of the site replaced this one
    Object.assign(this.job, { state, finished: Date.now() });
    await saveJob(this.job);
    await armAlarm();
    await badge();
    const counts = await this.store.frontierCounts(this.site);
    if (state === 'done') await notifyDone(this.job, counts);
  }

  /** A crawl that can't continue (e.g. the store is full) stops with the reason; the frontier keeps the rest. */
  async fail(err) {
    if (this.failed) return;
    this.failed = true;
    const code = err && typeof err.code === 'string' ? err.code : 'internal/error';
    console.error('sitemirror: crawl stopped', err);
    await this.stop().catch(() => {});
    this.job.error = `${code}: ${err?.message ?? err}`;
    await this.finish('failed');
  }
}

/** The body, or null when it is bigger than `max` (the request is then aborted). */
async function readCapped(res, max, controller) {
  const declared = Number(res.headers.get('content-length'));
  if (declared > max) {
    controller.abort('too-large');
    return null;
  }
  if (Number.isFinite(declared) && res.headers.has('content-length')) return new Uint8Array(await res.arrayBuffer());
  if (!res.body) return new Uint8Array(0);
  const body = await readStream(res.body, max);
  if (!body) controller.abort('too-large');
  return body;
}

/** A stream's bytes in one array, or null (and the stream cancelled) as soon as they pass `max`. */
async function readStream(stream, max) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * A sitemap's XML (or text) bytes. `sitemap.xml.gz` files arrive as gzip bytes (a file, not Content-Encoding,
 * which fetch() would have undone): they are gunzipped here, and stopped at the sitemaps.org limit of 50 MB,
 * so a gzip bomb costs 50 MB of memory at most instead of the worker. Throws with the reason otherwise.
 */
async function sitemapText(body) {
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) {
    if (body.length > MAX_SITEMAP_BYTES) throw new Error(`over ${MAX_SITEMAP_BYTES} bytes`);
    return body;
  }
  let text;
  try {
    text = await readStream(new Blob([body]).stream().pipeThrough(new DecompressionStream('gzip')), MAX_SITEMAP_BYTES);
  } catch (err) {
    throw new Error(`broken gzip (${err?.message || err})`);
  }
  if (!text) throw new Error(`over ${MAX_SITEMAP_BYTES} bytes once gunzipped`);
  return text;
}

/** Response headers worth keeping, from a fetch() Response. */
function keptHeaders(headers) {
  return [...headers].filter(([n]) => KEPT_HEADERS.has(n));
}

/** A 304's headers update the stored ones (RFC 9111 §4.3.4). */
function mergeHeaders(stored, fresh) {
  const out = new Map(stored);
  for (const [n, v] of fresh) if (n !== 'content-type') out.set(n, v);
  return [...out];
}
