/**
 * "Mirror this site": the whole-site crawl, run by the background service worker.
 *
 * Every decision is the engine's `CrawlDriver` (Rust, crate/src/crawl/driver.rs; docs/engine-api.md): the queue
 * and its order, seeding (robots.txt, sitemaps, the start URL), scope, robots rules, traps, limits, per-host
 * pacing, retries, redirect chains and loops, conditional requests and 304s, the byte budget, batching. This file
 * is its host: it fetches what the driver asks for, waits when it says, writes its batches, and keeps the job.
 *
 * Why it survives the worker being stopped: the frontier lives in the store, and a fetched URL's capture, the
 * links found in it and its "done" are written in ONE transaction (`MirrorStore.record(captures, settle,
 * found)`). A restarted worker reloads the frontier into a new driver and fetches what is still queued: a URL
 * whose response was stored is never fetched again; one whose response wasn't is fetched once more, and the
 * driver keeps those few (at most two batches). The job itself (options, state, byte count) is kept in
 * chrome.storage.local; an alarm wakes the worker while a crawl runs, and any event that starts the worker
 * resumes running crawls first.
 */
import { ErrorCode, bodyCapped, putBody } from './lib/shared.js';
import * as renderer from './render.js';

/** chrome.alarms name that wakes a stopped worker while a crawl runs (30 s is Chrome's minimum period). */
export const ALARM = 'sitemirror-crawl';
const JOB_PREFIX = 'crawl:';

const REPORT_MAX = 2000;

/**
 * Set by the background script. `misses`: what a replayed document asked the mirror for and didn't get.
 * @type {{engine: any, store: () => Promise<any>, origin: string,
 *   misses: {of: (doc: string) => Promise<string[]>, forget: (doc: string) => void}}}
 */
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

/** @param {typeof context} ctx */
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

/** @typedef {import('./messages.js').CrawlJob & {seeded: boolean, addressSpace?: string, robotsStatus?: number, pages?: string[],
 *   base?: {startUrl: string, options: object}}} Job */

/** @returns {Promise<Job | null>} */
async function loadJob(site) {
  return /** @type {Job | null} */ ((await chrome.storage.local.get(jobKey(site)))[jobKey(site)] ?? null);
}

async function saveJob(job) {
  await chrome.storage.local.set({ [jobKey(job.site)]: job });
}

/** Every crawl job on record. */
/** @returns {Promise<Job[]>} */
async function allJobs() {
  const all = await chrome.storage.local.get(null);
  return Object.entries(all)
    .filter(([k]) => k.startsWith(JOB_PREFIX))
    .map(([, v]) => /** @type {Job} */ (v));
}

/**
 * fetch() options with Chromium's `targetAddressSpace` (Local Network Access), which the DOM types don't know yet.
 * @param {RequestInit & {targetAddressSpace?: string}} init
 * @returns {RequestInit}
 */
const withSpace = (init) => init;

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
      fetch(url, withSpace({ method: 'HEAD', redirect, credentials: 'omit', cache: 'no-store', targetAddressSpace: space, signal: AbortSignal.timeout(10_000) }));
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
  checkedOptions(startUrl, options);
}

/** The complete options (defaults filled in) of a crawl from `startUrl`; throws for options it can't use. */
function checkedOptions(startUrl, options) {
  const driver = new context.engine.CrawlDriver(startUrl, options, { source: 'check', redirects: 'manual' });
  try {
    return driver.options();
  } finally {
    driver.free();
  }
}

/**
 * Starts a crawl of `site` from `startUrl` (and the other start `pages`). A running or paused crawl of the site is
 * returned as it is. `base`: the crawl a recapture was made from, whose start and options "Update now" keeps.
 * @param {{id: string}} site @param {string} startUrl @param {object} options
 * @param {'mirror' | 'update' | 'recapture'} kind
 * @param {string} [space] @param {{pages?: string[], base?: {startUrl: string, options: object}}} [more]
 */
export async function start(site, startUrl, options = {}, kind = 'mirror', space, { pages = [], base } = {}) {
  const existing = await loadJob(site.id);
  if (existing && (existing.state === 'running' || existing.state === 'paused')) return existing;
  // Validates the options (crawl/invalid-config) and fills in the defaults before anything is written.
  const checked = checkedOptions(startUrl, options);
  const addressSpace = space ?? (await probe(startUrl)).space;
  await keepSpace(site, addressSpace);
  const now = Date.now();
  const job = {
    site: site.id,
    id: `crawl-${now.toString(36)}`,
    kind,
    state: 'running',
    startUrl,
    options: checked,
    started: now,
    finished: null,
    bytes: 0,
    fetched: 0,
    error: null,
    seeded: false,
    addressSpace,
    ...(pages.length ? { pages } : {}),
    ...(base ? { base } : {}),
  };
  const store = await context.store();
  await store.clearFrontier(site.id);
  await saveJob(job);
  await armAlarm();
  launch(job);
  return publicJob(job);
}

/** "Update now": the site crawled again with the last crawl's options, unchanged content costing a 304. */
export async function update(site) {
  const last = await loadJob(site.id);
  if (last && (last.state === 'running' || last.state === 'paused')) return publicJob(last);
  const from = last?.base ?? last;
  return start(site, from?.startUrl ?? site.startUrl, from?.options ?? {}, 'update', undefined);
}

/**
 * "Recapture": these pages of the site (canonical keys) crawled again — rendered and scored, with what they use,
 * nothing they link to — under the last crawl's other options (its exclusions, limits and politeness).
 * @param {{id: string, startUrl: string}} site @param {string[]} urls
 */
export async function recapture(site, urls) {
  const last = await loadJob(site.id);
  if (last && (last.state === 'running' || last.state === 'paused')) return publicJob(last);
  const base = last?.base ?? (last ? { startUrl: last.startUrl, options: last.options } : { startUrl: site.startUrl, options: {} });
  const options = { ...base.options, maxDepth: 0, maxPages: Math.max(urls.length, 1), render: 'always', score: 'every' };
  return start(site, urls[0], options, 'recapture', undefined, { pages: urls.slice(1), base });
}

/** Resumes every crawl that was running when the worker stopped. Called on every worker start and alarm. */
export async function resumeAll() {
  for (const job of await allJobs()) {
    if (job.state === 'running' && !runners.has(job.site)) launch(job);
  }
  await armAlarm();
}

function launch(job) {
  const runner = new Runner(job);
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
    await settleQueued(siteId, `${ErrorCode.CRAWL_CANCELLED}: the crawl was cancelled before this URL was fetched`);
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
  const { seeded, robotsStatus, pages, base, ...rest } = job;
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

/** One running crawl: a host of the engine's `CrawlDriver`, which decides everything (see the top of this file). */
class Runner {
  constructor(job) {
    this.job = job;
    this.site = job.site;
    this.running = true;
    /** Fetches in flight: driver fetch id → AbortController. */
    this.inFlight = new Map();
    /** Bodies the driver asked to keep for a capture of a later write: fetch id → Uint8Array. */
    this.bodies = new Map();
    this.writing = Promise.resolve();
    this.wake = undefined;
    this.driver = null;
    this.fetchedBefore = job.fetched ?? 0;
    this.done = new Promise((resolve) => (this.finishedRun = resolve));
  }

  /** URLs in each state (the driver's live counts), or null before it runs. */
  get counts() {
    if (!this.driver) return null;
    const { queued, done, failed, skipped } = this.driver.progress();
    return { queued, done, failed, skipped };
  }

  async run() {
    const store = (this.store = await context.store());
    // A job saved before address spaces were recorded counts as public: the strictest.
    const host = { source: this.job.id, conditional: this.job.kind === 'update', redirects: 'manual', space: this.job.addressSpace ?? 'public' };
    this.driver = new context.engine.CrawlDriver(this.job.startUrl, this.job.options, host);
    for (const page of this.job.pages ?? []) this.driver.addStart(page);
    this.renders = this.driver.options().render !== 'never';
    if (this.renders) await renderer.prepare(this.site, { addressSpace: host.space });
    const frontier = await store.frontier(this.site);
    this.driver.begin(frontier, this.job.seeded ? await this.storedRobots() : null, this.job.bytes);
    this.pump();
    await badge();
    await this.done;
  }

  /** A resumed crawl gets the robots.txt rules from the mirror, not by asking the origin again. */
  async storedRobots() {
    const found = await this.store.lookup(this.driver.robotsUrl, undefined);
    if (!found) return { text: '', status: this.job.robotsStatus ?? 404 };
    const body = await bytesOf(await this.store.body(found.digest));
    return { text: new TextDecoder().decode(body ?? new Uint8Array()), status: found.status };
  }

  /** Does what the driver says until it waits or is done. */
  pump() {
    if (!this.running) return;
    clearTimeout(this.wake);
    this.wake = undefined;
    for (;;) {
      const step = this.driver.next(Date.now());
      switch (step.kind) {
        case 'fetch':
          this.fetchOne(step).catch((err) => this.fail(err));
          continue;
        case 'read':
          this.read(step).catch((err) => this.fail(err));
          continue;
        case 'write':
          this.write(step);
          continue;
        case 'render':
          this.renderOne(step).catch((err) => this.fail(err));
          continue;
        case 'score':
          this.scoreOne(step).catch((err) => this.fail(err));
          continue;
        case 'wait':
          if (step.ms !== null) this.wake = setTimeout(() => this.pump(), step.ms);
          return;
        default:
          this.complete().catch((err) => this.fail(err));
          return;
      }
    }
  }

  /** One fetch: its outcome goes to the driver, which says whether to keep the body for a capture. */
  async fetchOne(task) {
    const controller = new AbortController();
    this.inFlight.set(task.id, controller);
    const started = Date.now();
    const timer = setTimeout(() => controller.abort('timeout'), task.timeoutMs);
    const response = { status: 0, headers: [], size: 0, elapsedMs: 0 };
    let body = null;
    try {
      let headers;
      if (task.conditional) {
        const stored = await this.store.lookup(task.url, undefined);
        headers = this.driver.conditional(task.id, stored && { status: stored.status, headers: stored.headers, digest: stored.digest });
      }
      /** @type {RequestInit & {targetAddressSpace?: string}} */
      const init = { credentials: task.credentials, targetAddressSpace: task.targetAddressSpace, cache: 'no-store', redirect: task.redirect };
      const res = await fetch(task.url, withSpace({ ...init, signal: controller.signal, headers }));
      if (res.type === 'opaqueredirect') {
        // The hop (status, target) arrives through webRequest (onRedirect).
        const hop = await hopOf(task.url);
        if (hop) Object.assign(response, { status: hop.status, hop });
        else response.error = 'network';
      } else {
        Object.assign(response, { status: res.status, headers: [...res.headers] });
        if (res.redirected && res.url) response.url = res.url;
        body = await bodyCapped(res, task.maxBytes, controller);
        if (body === null) response.error = 'too-large';
      }
    } catch {
      response.error = controller.signal.aborted ? (controller.signal.reason === 'timeout' ? 'timeout' : 'aborted') : 'network';
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(task.id);
    }
    if (!this.running) return;
    if (body) await putBody(response, task, body);
    const now = Date.now();
    response.elapsedMs = now - started;
    if (this.driver.onResponse(task.id, response, now)) this.bodies.set(task.id, body ?? new Uint8Array(0));
    // Past maxBytes nothing more is stored: what is in flight is aborted (and settled skipped by the driver).
    if (this.driver.overBudget) for (const controller of this.inFlight.values()) controller.abort('stopped');
    this.pump();
  }

  /** One page rendered where its scripts run (render.js); the DOM they left is kept like a fetched body. */
  async renderOne(step) {
    const out = await renderer.render(this.site, step.url);
    if (!this.running) return;
    if (out.error) console.warn('sitemirror: render of', step.url, 'failed:', out.error);
    const rendered = { resources: out.resources, ...(out.html ? { html: out.html } : {}), ...(out.measure ? { measure: out.measure } : {}) };
    if (this.driver.onRendered(step.id, rendered, Date.now())) this.bodies.set(step.id, out.html);
    this.pump();
  }

  /**
   * One rendered page's fidelity: its replay (the rendered copy, just stored) measured like its render was, the
   * engine's score kept with the page's version. Advisory: a replay that can't be measured leaves no score.
   */
  async scoreOne(step) {
    const doc = context.engine.mirrorUrl(step.url, `${context.origin}/m/`);
    context.misses.forget(doc); // a page measured before (an earlier crawl) starts with a clean list
    const replay = await renderer.measureReplay(doc);
    if (!this.running) return;
    if (replay) {
      // The mirror's own record of what it couldn't answer: a stylesheet that 404s still has a (empty) sheet.
      replay.missing = Math.max(replay.missing, (await context.misses.of(doc)).length);
      replay.resources = Math.max(replay.resources, replay.missing);
    }
    if (replay) await this.store.score(step.url, step.live, replay, Date.now()).catch((err) => console.warn('sitemirror: score of', step.url, 'not kept:', err));
    this.driver.onScored(step.id);
    this.pump();
  }

  /** The stored body of a 304, whose links the driver follows. */
  async read(step) {
    const bytes = await bytesOf(await this.store.body(step.digest));
    if (!this.running) return;
    this.driver.onStored(step.id, bytes ?? null, Date.now());
    this.pump();
  }

  /** Writes a batch in one transaction, then records the job's progress; writes are serialised in order. */
  write(batch) {
    const captures = batch.captures.map(({ response, ...c }) => (c.unchanged ? c : { ...c, body: this.takeBody(response) }));
    this.writing = this.writing.then(async () => {
      await this.store.record(captures, batch.settle, batch.found);
      this.driver?.written(batch.seeded);
      const p = this.driver.progress();
      Object.assign(this.job, { bytes: p.bytes, fetched: this.fetchedBefore + p.fetched, robotsStatus: p.robotsStatus ?? this.job.robotsStatus });
      if (batch.seeded) this.job.seeded = true;
      await saveJob(this.job);
      await badge();
      this.pump();
    });
    this.writing.catch((err) => this.fail(err));
    return this.writing;
  }

  takeBody(id) {
    const body = this.bodies.get(id) ?? new Uint8Array(0);
    this.bodies.delete(id);
    return body;
  }

  /** Stops fetching: in-flight requests are aborted (their URLs stay queued), what was fetched is written. */
  async stop() {
    this.running = false;
    clearTimeout(this.wake);
    for (const controller of this.inFlight.values()) controller.abort('stopped');
    this.inFlight.clear();
    await this.writing.catch(() => {});
    const last = this.driver?.flush();
    if (last) await this.write(last).catch(() => {});
    if (this.renders) await renderer.release(this.site).catch(() => {});
    runners.delete(this.site);
    this.finishedRun();
    await badge();
  }

  async complete() {
    if (this.completing) return;
    this.completing = true;
    await this.writing;
    this.running = false;
    if (this.renders) await renderer.release(this.site).catch(() => {});
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
    const code = err && typeof err.code === 'string' ? err.code : ErrorCode.INTERNAL;
    console.error('sitemirror: crawl stopped', err);
    await this.stop().catch(() => {});
    this.job.error = `${code}: ${err?.message ?? err}`;
    await this.finish('failed');
  }
}

/** A stored body (Uint8Array or Blob) as bytes. */
async function bytesOf(body) {
  return body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : body;
}
