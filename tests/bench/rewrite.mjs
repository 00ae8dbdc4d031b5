#!/usr/bin/env node
// Rewrite-throughput benchmark: the sitemirror engine (lol_html compiled to WebAssembly, run by Node's V8) against
// two JavaScript rewriters doing the same attribute rewriting, and native lol_html (the same Rust code, compiled for
// this CPU), on every real-life page of htmlparser-benchmark.
//
//   node tests/bench/rewrite.mjs --native target/bench-native/examples/bench_native \
//     [--floor target/bench-floor.wasm] [--passes N] [--warmup N]
//
// Columns:
//   wasm         engine.rewriteHtml(bytes, {url, mirrorPrefix, mode: 'static'}) from dist/extension/pkg: bytes in,
//                bytes out, exactly what the extension does.
//   parse5       parse5-html-rewriting-stream's RewritingStream (the tokenizer web-archive replay in JS uses), one
//                stream per document, fed the whole document as a string; untouched tokens are copied raw.
//   htmlparser2  htmlparser2's Parser; untouched source is copied raw by offset, only tags that change are
//                serialised again (the cheapest correct way to rewrite with it).
//   native       the bench_native example (lol_html, Rust, opt-level 3), spawned once per pass; it reports its own
//                time, which excludes process start and file reading.
//   floor-visit  (with --floor) tests/bench/floor.rs as wasm: lol_html with a `*` handler that only reads every tag
//                name, attribute name and value — the least a rewriter that must strip on* from any element does on
//                this stack. floor-resolve adds WHATWG resolution of every href/src (url crate); floor-rewrite
//                writes those back behind the mirror prefix (a plain URL-attribute rewrite and nothing more).
//                They bound how fast the engine could be, and the module's size how small.
//
// Passes alternate the implementations (A B C D, B C D A, …: each round starts one later, so none always runs right
// after another's garbage), after warm-up passes that are not recorded. Medians are reported: the machine is noisy.
// The JS peers get pre-decoded strings and return strings (no UTF-8 decode/encode in their timed region, which
// favours them); the wasm column pays for crossing the JS/wasm boundary both ways.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Parser } from 'htmlparser2';
import { RewritingStream } from 'parse5-html-rewriting-stream';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FILES_DIR = path.join(ROOT, 'node_modules/htmlparser-benchmark/files');
const PKG_DIR = path.join(ROOT, 'dist/extension/pkg');
const WASM_PATH = path.join(PKG_DIR, 'sitemirror_bg.wasm');
const RESULTS = path.join(ROOT, 'target/bench-results/rewrite.json');
export const MIRROR_PREFIX = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/';
export const DOC_BASE = 'https://bench.example/';
const TARGETS = { parse5: 6, htmlparser2: 2, native: 0.5 };
const MB = 1e6; // decimal megabytes: 24.6 MB = 24,613,251 bytes

// ---------------------------------------------------------------------------------------------------------------
// The JS peers' rewriting rules: the engine's table (crate/src/rewrite/rules.rs), looked up by lower-case element
// and attribute name. Kind: 1 = one URL, 2 = srcset list. SVG tag names arrive camel-cased from both JS parsers
// (feImage), so they are looked up lower-cased.

const URL1 = 1;
const SRCSET = 2;
const RULE_ROWS = [
  ['a', 'href', URL1], ['a', 'xlink:href', URL1], ['area', 'href', URL1],
  ['link', 'href', URL1], ['link', 'imagesrcset', SRCSET],
  ['img', 'src', URL1], ['img', 'srcset', SRCSET], ['img', 'longdesc', URL1], ['picture', 'src', URL1],
  ['source', 'src', URL1], ['source', 'srcset', SRCSET],
  ['video', 'src', URL1], ['video', 'poster', URL1], ['audio', 'src', URL1], ['track', 'src', URL1],
  ['iframe', 'src', URL1], ['frame', 'src', URL1], ['embed', 'src', URL1], ['object', 'data', URL1],
  ['input', 'src', URL1], ['script', 'src', URL1],
  ['body', 'background', URL1], ['table', 'background', URL1], ['td', 'background', URL1],
  ['th', 'background', URL1], ['tr', 'background', URL1],
  ['form', 'action', URL1], ['button', 'formaction', URL1], ['input', 'formaction', URL1],
  ['blockquote', 'cite', URL1], ['q', 'cite', URL1], ['del', 'cite', URL1], ['ins', 'cite', URL1],
  ['image', 'href', URL1], ['image', 'xlink:href', URL1], ['use', 'href', URL1], ['use', 'xlink:href', URL1],
  ['feimage', 'href', URL1], ['feimage', 'xlink:href', URL1],
  // Lazy-loading attributes (rewritten as URLs; the engine also promotes them to src/srcset, the peers don't).
  ['img', 'data-src', URL1], ['img', 'data-srcset', SRCSET], ['img', 'data-lazy-src', URL1],
  ['img', 'data-original', URL1], ['source', 'data-src', URL1], ['source', 'data-srcset', SRCSET],
  ['iframe', 'data-src', URL1], ['video', 'data-src', URL1], ['video', 'data-poster', URL1],
];
const RULES = new Map();
for (const [el, attr, kind] of RULE_ROWS) {
  if (!RULES.has(el)) RULES.set(el, new Map());
  RULES.get(el).set(attr, kind);
}
RULES.set('feImage', RULES.get('feimage'));
const DROP_LINK_REL = /(?:^|\s)(?:preconnect|dns-prefetch|prefetch|prerender)(?:\s|$)/i;

// Per-document rewriting context shared by both peers.
class Ctx {
  constructor(url, prefix, isStatic) {
    this.base = url;
    this.prefix = prefix;
    this.isStatic = isStatic;
    this.baseSet = false;
  }

  /** <base href>: later relative URLs resolve against it (the first one wins, as in browsers). */
  setBase(value) {
    if (this.baseSet) return;
    this.baseSet = true;
    try {
      const u = new URL(value, this.base);
      if (u.protocol === 'https:' || u.protocol === 'http:') this.base = u.href;
    } catch {}
  }

  /**
   * The mirror URL for one URL value (already entity-decoded); null = leave as is; DROP = remove the attribute.
   * As the engine: empty and fragment-only URLs stay; http(s) goes into the mirror; data:/blob:/about:/mailto:/
   * tel:/sms: stay; in static mode anything else (javascript:, ftp:, …) is removed.
   */
  mapUrl(raw) {
    const value = raw.trim();
    if (value === '' || value.charCodeAt(0) === 35 /* # */) return null;
    let u;
    try {
      u = new URL(value, this.base);
    } catch {
      return null;
    }
    const p = u.protocol;
    if (p === 'https:' || p === 'http:') {
      return this.prefix + (p === 'https:' ? 'https/' : 'http/') + u.host + u.pathname + u.search + u.hash;
    }
    if (!this.isStatic || KEEP_SCHEMES.has(p)) return null;
    return DROP;
  }

  /** srcset: comma-separated candidates "URL [descriptor]"; each URL mapped, descriptors kept. */
  mapSrcset(value) {
    const out = [];
    const n = value.length;
    let i = 0;
    while (i < n) {
      while (i < n && (isSpace(value.charCodeAt(i)) || value.charCodeAt(i) === 44)) i++;
      if (i >= n) break;
      let s = i;
      while (i < n && !isSpace(value.charCodeAt(i))) i++;
      let url = value.slice(s, i);
      let desc = '';
      if (url.charCodeAt(url.length - 1) === 44) {
        url = url.replace(/,+$/, '');
      } else {
        s = i;
        while (i < n && value.charCodeAt(i) !== 44) i++;
        desc = value.slice(s, i).trim();
      }
      const mapped = this.mapUrl(url);
      const u = mapped === null || mapped === DROP ? url : mapped;
      out.push(desc ? u + ' ' + desc : u);
    }
    return out.join(', ');
  }

  /** CSS (style="" and <style>): url(...) and @import "..." by regex (the engine tokenises CSS with cssparser). */
  mapCss(value) {
    return value.replace(CSS_URL, (m, q, u, iq, iu) => {
      const mapped = this.mapUrl(u === undefined ? iu : u.trim());
      if (mapped === null) return m;
      if (mapped === DROP) return u === undefined ? m : 'url()';
      return u === undefined ? `@import ${iq}${mapped}${iq}` : `url(${q}${mapped}${q})`;
    });
  }
}
const PEER_DIFFERENCES =
  'The peers apply the engine\'s attribute table (crate/src/rewrite/rules.rs), remove <script>, on*, integrity, ping, ' +
  'javascript:/other non-http URLs and <link rel=preconnect|dns-prefetch|prefetch|prerender>, honour and neutralise ' +
  '<base href>, retarget target=_blank, and rewrite CSS in style="" and <style> with a url()/@import regex where the ' +
  'engine tokenises CSS (cssparser). They do not: promote lazy-loading attributes to src/srcset, rewrite <meta> ' +
  '(refresh, charset, CSP), rewrite srcdoc documents, or unwrap <noscript> (htmlparser2 parses its content as HTML, ' +
  'parse5 rewrites it as a nested document). parse5 re-serialises changed tags from decoded values (drops duplicate ' +
  'attributes); htmlparser2 copies untouched source by offset like lol_html.';
const DROP = Symbol('drop');
const KEEP_SCHEMES = new Set(['data:', 'blob:', 'about:', 'mailto:', 'tel:', 'sms:']);
const CSS_URL = /url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s*(['"])([^'"]*)\3/gi;
const mayHoldCssUrls = (css) => css.indexOf('url(') !== -1 || css.indexOf('@import') !== -1;
function isSpace(c) {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

const NAMED = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', nbsp: '\u00a0' };
const ENTITY = /&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(amp|quot|apos|lt|gt|nbsp));?/g;
/** Decodes the few character references URLs carry (lol_html and htmlparser2 with decodeEntities:false are raw). */
function decodeAttr(v) {
  if (v.indexOf('&') === -1) return v;
  return v.replace(ENTITY, (m, dec, hex, name) => {
    if (name) return NAMED[name];
    const cp = dec ? parseInt(dec, 10) : parseInt(hex, 16);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}
function escapeAttr(v) {
  if (v.indexOf('&') !== -1) v = v.replace(/&/g, '&amp;');
  if (v.indexOf('"') !== -1) v = v.replace(/"/g, '&quot;');
  return v;
}

/**
 * The attribute decisions for one start tag, shared by both peers. `get(i)`/`name(i)` read attribute i;
 * values are entity-decoded by the caller's convention (`decoded`). Returns null when the tag stays as written,
 * else an array of [name, newValue|DROP] changes.
 */
function decideAttrs(ctx, tag, names, values, decoded) {
  const rules = RULES.get(tag);
  let changes = null;
  for (let i = 0; i < names.length; i++) {
    const an = names[i];
    let nv = null;
    if (ctx.isStatic && an.charCodeAt(0) === 111 /* o */ && an.charCodeAt(1) === 110 /* n */ && an.length > 2) {
      nv = DROP;
    } else if (an === 'integrity' || an === 'ping') {
      nv = DROP;
    } else if (an === 'target' || an === 'formtarget') {
      // target=_blank opens a popup, which sandboxed replay forbids: open in place (as the engine does).
      const t = values[i].trim().toLowerCase();
      if (t.charCodeAt(0) === 95 /* _ */ && t !== '_self' && t !== '_parent' && t !== '_top') nv = '_self';
    } else if (tag === 'base' && an === 'href') {
      nv = DROP; // used as the base (see setBase), then neutralised
    } else {
      const kind = rules === undefined ? undefined : rules.get(an);
      if (kind !== undefined) {
        const v = decoded ? values[i] : decodeAttr(values[i]);
        nv = kind === URL1 ? ctx.mapUrl(v) : ctx.mapSrcset(v);
      } else if (an === 'style' && values[i].indexOf('url(') !== -1) {
        const v = decoded ? values[i] : decodeAttr(values[i]);
        const s = ctx.mapCss(v);
        if (s !== v) nv = s;
      } else if (tag === 'link' && an === 'rel' && ctx.isStatic && DROP_LINK_REL.test(values[i])) {
        return 'drop-element';
      }
    }
    if (nv !== null) (changes ??= []).push(i, nv);
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------------------------
// Peer 1: htmlparser2. decodeEntities:false keeps attribute values and text raw (as lol_html does); output is the
// source copied by offset, with only changed start tags serialised again and <script>…</script> cut out.

export function rewriteHtmlparser2(html, url, prefix, isStatic = true) {
  const ctx = new Ctx(url, prefix, isStatic);
  const out = [];
  let last = 0;
  let skipping = false;
  let parser;
  // Attributes in source order (the attribs object reorders integer-like names and drops duplicates).
  let names = [];
  let values = [];
  let lastQuote = null;
  let inStyle = false;
  const cbs = {
    ontext(text) {
      if (inStyle && mayHoldCssUrls(text)) {
        const css = ctx.mapCss(text);
        if (css !== text) {
          out.push(html.slice(last, parser.startIndex), css);
          last = parser.endIndex + 1;
        }
      }
    },
    onopentagname() {
      names = [];
      values = [];
    },
    onattribute(name, value, quote) {
      names.push(name);
      values.push(value);
      lastQuote = quote;
    },
    onopentag(tag, _attribs, isImplied) {
      if (isImplied || skipping) return;
      const start = parser.startIndex;
      if (isStatic && tag === 'script') {
        out.push(html.slice(last, start));
        skipping = true;
        return;
      }
      if (tag === 'style') inStyle = true;
      const n = names.length;
      if (n === 0) return;
      if (tag === 'base') {
        const i = names.indexOf('href');
        if (i !== -1) ctx.setBase(decodeAttr(values[i]));
      }
      const changes = decideAttrs(ctx, tag, names, values, false);
      if (changes === null) return;
      const end = parser.endIndex + 1;
      out.push(html.slice(last, start));
      last = end;
      if (changes === 'drop-element') return;
      let s = '<' + tag;
      let c = 0;
      for (let i = 0; i < n; i++) {
        let v = values[i];
        if (c < changes.length && changes[c] === i) {
          const nv = changes[c + 1];
          c += 2;
          if (nv === DROP) continue;
          v = escapeAttr(nv);
        } else if (v.indexOf('"') !== -1) {
          v = v.replace(/"/g, '&quot;');
        }
        s += ' ' + names[i] + '="' + v + '"';
      }
      // "/>" unless the slash belongs to an unquoted last value (<a href=/x/>).
      const selfClosing = html.charCodeAt(end - 2) === 47 && !(lastQuote === null && values[n - 1].endsWith('/'));
      out.push(selfClosing ? s + '/>' : s + '>');
    },
    onclosetag(tag, isImplied) {
      if (tag === 'style') inStyle = false;
      if (skipping && tag === 'script') {
        skipping = false;
        last = isImplied ? parser.startIndex : parser.endIndex + 1;
      }
    },
  };
  parser = new Parser(cbs, { decodeEntities: false });
  parser.end(html);
  if (skipping) last = html.length;
  out.push(html.slice(last));
  return out.join('');
}

// ---------------------------------------------------------------------------------------------------------------
// Peer 2: parse5-html-rewriting-stream, used as documented (startTag/endTag/text listeners, emitRaw for untouched
// tokens, emitStartTag for changed ones). Output chunks are collected by replacing the stream's push() on the
// instance: the Transform-stream plumbing around it is bypassed, which only favours this peer.
// Its tokenizer treats <noscript> as raw text (scripting on), so the content is rewritten as a document of its own.

export function rewriteParse5(html, url, prefix, isStatic = true) {
  const ctx = new Ctx(url, prefix, isStatic);
  const rw = new RewritingStream();
  const out = [];
  rw.push = (chunk) => {
    if (chunk) out.push(chunk);
    return true;
  };
  let inScript = false;
  let inNoscript = false;
  let inStyle = false;
  rw.on('startTag', (token, raw) => {
    const tag = token.tagName;
    if (inScript) return;
    if (isStatic && tag === 'script') {
      // <script/> is still an open element in HTML (only in SVG/MathML does the slash close it).
      inScript = !(token.selfClosing && rw.parserFeedbackSimulator.inForeignContent);
      return;
    }
    if (tag === 'noscript' && isStatic) inNoscript = true;
    else if (tag === 'style') inStyle = !(token.selfClosing && rw.parserFeedbackSimulator.inForeignContent);
    const attrs = token.attrs;
    if (attrs.length === 0) return rw.emitRaw(raw);
    const names = attrs.map((a) => (a.prefix ? a.prefix + ':' + a.name : a.name));
    const values = attrs.map((a) => a.value);
    if (tag === 'base') {
      const i = names.indexOf('href');
      if (i !== -1) ctx.setBase(values[i]);
    }
    const changes = decideAttrs(ctx, tag, names, values, true);
    if (changes === null) return rw.emitRaw(raw);
    if (changes === 'drop-element') return;
    const kept = [];
    let c = 0;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i];
      if (c < changes.length && changes[c] === i) {
        const nv = changes[c + 1];
        c += 2;
        if (nv === DROP) continue;
        a.value = nv;
      }
      // emitStartTag serialises attr.name only: put a namespace prefix (xlink:href) back into the name.
      if (a.prefix) a.name = names[i];
      kept.push(a);
    }
    token.attrs = kept;
    rw.emitStartTag(token);
  });
  rw.on('endTag', (token, raw) => {
    if (inScript) {
      if (token.tagName === 'script') inScript = false;
      return;
    }
    if (token.tagName === 'noscript') inNoscript = false;
    else if (token.tagName === 'style') inStyle = false;
    rw.emitRaw(raw);
  });
  rw.on('text', (_token, raw) => {
    if (inScript) return;
    if (inStyle) rw.emitRaw(mayHoldCssUrls(raw) ? ctx.mapCss(raw) : raw);
    else rw.emitRaw(inNoscript ? rewriteParse5(raw, ctx.base, prefix, isStatic) : raw);
  });
  rw.write(html);
  rw.end();
  return out.join('');
}

// ---------------------------------------------------------------------------------------------------------------
// Harness.

function parseArgs(argv) {
  const args = { passes: 7, warmup: 1, native: null, samples: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--native') args.native = next();
    else if (a === '--floor') args.floor = next();
    else if (a === '--passes') args.passes = positiveInt(a, next());
    else if (a === '--warmup') args.warmup = positiveInt(a, next(), 0);
    else if (a === '-h' || a === '--help') {
      console.log('usage: node tests/bench/rewrite.mjs [--native PATH] [--passes N (7)] [--warmup N (1)]');
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  return args;
}
function positiveInt(flag, s, min = 1) {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) fail(`${flag} wants an integer >= ${min}, got ${s}`);
  return n;
}
function fail(msg) {
  console.error(`rewrite bench: ${msg}`);
  process.exit(1);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const countOf = (hay, needle) => {
  let n = 0;
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
};
/** `<script` outside comments (conditional comments legitimately keep their markup as comment text). */
const hasScriptTag = (html) => /<script[\s>/]/i.test(html.replace(/<!--[\s\S]*?(?:-->|$)/g, ''));

function optimisationLevel() {
  const cargo = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8');
  const section = (name) => {
    const m = cargo.match(new RegExp(`\\[profile\\.${name}\\]([\\s\\S]*?)(?:\\n\\[|$)`));
    const o = m && m[1].match(/^\s*opt-level\s*=\s*("?[^"\n]+"?)/m);
    return o ? o[1] : null;
  };
  let wasmOpt = null;
  try {
    const build = fs.readFileSync(path.join(ROOT, 'build.sh'), 'utf8');
    const m = build.match(/wasm-opt\s+(-O\w*)/);
    wasmOpt = m ? m[1] : null;
  } catch {}
  return { release: section('release'), benchNative: section('bench-native'), wasmOpt };
}

async function loadEngine() {
  const js = path.join(PKG_DIR, 'sitemirror.js');
  if (!fs.existsSync(js) || !fs.existsSync(WASM_PATH)) {
    fail(`${path.relative(ROOT, PKG_DIR)}/sitemirror.js or sitemirror_bg.wasm is missing: run ./build.sh first`);
  }
  const engine = await import(pathToFileURL(js).href);
  // wasm-bindgen >= 0.2.93 takes {module}; older ones took the module directly (and warn on the object form).
  const wasmBytes = fs.readFileSync(WASM_PATH);
  engine.initSync({ module: wasmBytes });
  return { engine, wasmBytes };
}

/** The floor module (tests/bench/floor.rs): raw exports, no wasm-bindgen. */
async function loadFloor(file) {
  const bytes = fs.readFileSync(file);
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const { memory, floor_alloc: alloc, floor_free: free, floor_run: run } = instance.exports;
  return {
    size: { raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length },
    // Like the engine's column: copy each document into wasm memory, run, free.
    runAll(docs, mode) {
      let out = 0;
      for (const d of docs) {
        const p = alloc(d.bytes.length);
        new Uint8Array(memory.buffer, p, d.bytes.length).set(d.bytes);
        out += run(p, d.bytes.length, mode);
        free(p, d.bytes.length);
      }
      return out;
    },
  };
}

function runNative(bin, passes = 1) {
  const r = spawnSync(bin, ['--passes', String(passes), FILES_DIR], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error) fail(`cannot run ${bin}: ${r.error.message}`);
  if (r.status !== 0) fail(`${bin} exited with ${r.status}: ${r.stderr.trim().slice(0, 500)}`);
  const lines = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  if (lines.length === 0 || typeof lines.at(-1).ms !== 'number') {
    fail(`${bin} printed no {"bytes":N,"ms":X} line: ${r.stdout.slice(0, 300)}`);
  }
  return lines.at(-1);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.native && !fs.existsSync(args.native)) {
    fail(`native binary ${args.native} does not exist (cargo build --profile bench-native --example bench_native -p sitemirror)`);
  }

  if (args.floor && !fs.existsSync(args.floor)) {
    fail(`floor module ${args.floor} does not exist (./build.sh bench builds it from tests/bench/floor.rs)`);
  }

  // Inputs, read once.
  const names = fs.readdirSync(FILES_DIR).filter((n) => fs.statSync(path.join(FILES_DIR, n)).isFile()).sort();
  const decoder = new TextDecoder();
  const docs = names.map((name) => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(FILES_DIR, name)));
    const url = DOC_BASE + name;
    return { name, bytes, text: decoder.decode(bytes), url, opts: { url, mirrorPrefix: MIRROR_PREFIX, mode: 'static' } };
  });
  const totalBytes = docs.reduce((s, d) => s + d.bytes.length, 0);

  // The size reported is that of the very bytes benchmarked (dist/ may be rebuilt while this runs).
  const { engine, wasmBytes } = await loadEngine();
  const impls = {
    wasm: () => {
      let out = 0;
      for (const d of docs) out += engine.rewriteHtml(d.bytes, d.opts).length;
      return out;
    },
    parse5: () => {
      let out = 0;
      for (const d of docs) out += rewriteParse5(d.text, d.url, MIRROR_PREFIX, true).length;
      return out;
    },
    htmlparser2: () => {
      let out = 0;
      for (const d of docs) out += rewriteHtmlparser2(d.text, d.url, MIRROR_PREFIX, true).length;
      return out;
    },
  };
  const order = ['wasm', 'parse5', 'htmlparser2'];
  if (args.native) order.push('native');
  let floor = null;
  if (args.floor) {
    floor = await loadFloor(args.floor);
    impls['floor-visit'] = () => floor.runAll(docs, 1);
    impls['floor-resolve'] = () => floor.runAll(docs, 2);
    impls['floor-rewrite'] = () => floor.runAll(docs, 3);
    order.push('floor-visit', 'floor-resolve', 'floor-rewrite');
  }

  console.log(`rewrite bench: ${docs.length} files, ${totalBytes} bytes (${fmt(totalBytes / MB, 1)} MB), ` +
    `engine ${engine.version ? engine.version() : '?'}, node ${process.version}, ${os.cpus().length} CPUs`);

  // Sanity: every implementation does real work (mirror prefix present) and static output has no <script>.
  const samples = docs
    .filter((d) => /<script[\s>]/i.test(d.text) && /\shref\s*=/i.test(d.text))
    .filter((_, i, a) => i === 0 || i === a.length >> 1 || i === a.length - 1)
    .slice(0, args.samples);
  const sanity = [];
  let sane = true;
  for (const d of samples) {
    const outs = {
      wasm: decoder.decode(engine.rewriteHtml(d.bytes, d.opts)),
      parse5: rewriteParse5(d.text, d.url, MIRROR_PREFIX, true),
      htmlparser2: rewriteHtmlparser2(d.text, d.url, MIRROR_PREFIX, true),
    };
    for (const [impl, out] of Object.entries(outs)) {
      const prefixes = countOf(out, MIRROR_PREFIX);
      const script = hasScriptTag(out);
      const ok = prefixes > 0 && !script;
      if (!ok) sane = false;
      sanity.push({ file: d.name, impl, bytesIn: d.bytes.length, charsOut: out.length, mirrorUrls: prefixes, scriptTag: script, ok });
    }
  }
  console.log('\nSanity check (mirror URLs written, no <script outside comments in static output):');
  for (const s of sanity) {
    console.log(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.impl.padEnd(11)} ${s.file.slice(0, 16)}… ${String(s.mirrorUrls).padStart(5)} mirror URLs` +
      `${s.scriptTag ? ', <script found' : ''}`);
  }
  if (!sane) fail('sanity check failed: an implementation wrote no mirror URL or left a <script> (see above)');

  // Work parity over all files (untimed): how many mirror URLs each implementation writes.
  const parity = { wasm: 0, parse5: 0, htmlparser2: 0 };
  const outBytes = { wasm: 0, parse5: 0, htmlparser2: 0 };
  const encoder = new TextEncoder();
  for (const d of docs) {
    const w = engine.rewriteHtml(d.bytes, d.opts);
    parity.wasm += countOf(decoder.decode(w), MIRROR_PREFIX);
    outBytes.wasm += w.length;
    const p = rewriteParse5(d.text, d.url, MIRROR_PREFIX, true);
    parity.parse5 += countOf(p, MIRROR_PREFIX);
    outBytes.parse5 += encoder.encode(p).length;
    const h = rewriteHtmlparser2(d.text, d.url, MIRROR_PREFIX, true);
    parity.htmlparser2 += countOf(h, MIRROR_PREFIX);
    outBytes.htmlparser2 += encoder.encode(h).length;
  }
  console.log(`\nMirror URLs written over all files: wasm ${parity.wasm}, parse5 ${parity.parse5}, htmlparser2 ${parity.htmlparser2}`);
  console.log(`Output bytes: wasm ${outBytes.wasm}, parse5 ${outBytes.parse5}, htmlparser2 ${outBytes.htmlparser2}`);

  // Timed passes.
  const times = Object.fromEntries(order.map((k) => [k, []]));
  let nativeBytes = null;
  const runOne = (impl) => {
    if (impl === 'native') {
      const r = runNative(args.native, 1);
      nativeBytes = r.bytes;
      return r.ms;
    }
    const t0 = performance.now();
    const n = impls[impl]();
    const ms = performance.now() - t0;
    if (!(n > 0)) fail(`${impl} produced no output`);
    return ms;
  };
  const loadBefore = os.loadavg()[0];
  const rounds = args.warmup + args.passes;
  console.log(`\n${args.warmup} warm-up + ${args.passes} timed passes, alternating ${order.join(' → ')} (rotated each round)`);
  for (let r = 0; r < rounds; r++) {
    const line = [];
    for (let k = 0; k < order.length; k++) {
      const impl = order[(r + k) % order.length];
      const ms = runOne(impl);
      if (r >= args.warmup) times[impl].push(ms);
      line.push(`${impl} ${fmt(ms, 0)} ms`);
    }
    console.log(`  ${r < args.warmup ? 'warm-up' : `pass ${r - args.warmup + 1}`.padEnd(7)}  ${line.join(', ')}`);
  }
  if (args.native && nativeBytes !== totalBytes) {
    console.log(`  note: native reported bytes=${nativeBytes}, the files total ${totalBytes}`);
  }

  const load = { before: +loadBefore.toFixed(2), after: +os.loadavg()[0].toFixed(2) };
  const stats = {};
  for (const impl of order) {
    const ms = times[impl];
    const mbps = ms.map((t) => totalBytes / MB / (t / 1000));
    stats[impl] = {
      medianMs: median(ms),
      medianMBps: median(mbps),
      minMBps: Math.min(...mbps),
      maxMBps: Math.max(...mbps),
      passesMs: ms.map((t) => +t.toFixed(2)),
    };
  }
  const ratio = (other) => (stats[other] ? stats.wasm.medianMBps / stats[other].medianMBps : null);
  // Paired: the median over rounds of (other's time / wasm's time) within the same round, which cancels load that
  // drifts over minutes (the implementations of one round run back to back).
  const paired = (other) => (stats[other] ? median(times[other].map((t, i) => t / times.wasm[i])) : null);
  const ratios = {};
  for (const other of ['parse5', 'htmlparser2', 'native']) {
    const value = ratio(other);
    ratios[other] = {
      value,
      paired: paired(other),
      target: TARGETS[other],
      met: value === null ? null : value >= TARGETS[other],
    };
  }

  const size = {
    raw: wasmBytes.length,
    gzip: zlib.gzipSync(wasmBytes, { level: 9 }).length,
    sha256: createHash('sha256').update(wasmBytes).digest('hex'),
  };
  const opt = optimisationLevel();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';

  const label = {
    wasm: 'sitemirror WASM (lol_html, V8)',
    parse5: 'parse5-html-rewriting-stream 8',
    htmlparser2: 'htmlparser2 12',
    native: 'native lol_html (bench_native)',
    'floor-visit': 'floor: lol_html `*` handler reading names + values (wasm)',
    'floor-resolve': 'floor: the same + url-crate resolve of href/src (wasm)',
    'floor-rewrite': 'floor: the same + href/src written back behind the mirror prefix (wasm)',
  };
  const rows = order.map((impl) => {
    const s = stats[impl];
    const vs = impl === 'wasm' ? '1.00×' : `${fmt(stats.wasm.medianMBps / s.medianMBps, 2)}×`;
    return `| ${label[impl]} | ${fmt(s.medianMBps)} | ${fmt(s.minMBps)}–${fmt(s.maxMBps)} | ${fmt(s.medianMs, 0)} | ${vs} |`;
  });
  const ratioRows = ['parse5', 'htmlparser2', 'native'].map((o) => {
    const r = ratios[o];
    const x = (v) => (v === null ? 'n/a' : fmt(v, 2) + '×');
    return `| wasm / ${o} | ${x(r.value)} | ${x(r.paired)} | ≥ ${r.target}× | ${r.met === null ? 'not measured' : r.met ? 'met' : '**missed**'} |`;
  });
  const md = [
    `${docs.length} real-life pages of htmlparser-benchmark 1.1.3, ${totalBytes.toLocaleString('en')} bytes (${fmt(totalBytes / MB)} MB; MB = 10⁶ bytes), ` +
      `static mode, ${args.passes} timed passes after ${args.warmup} warm-up, implementations alternated pass by pass; medians.`,
    `Machine: ${os.cpus().length} cores (${cpu}), Node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.release()}; ` +
      `1-min load average ${load.before} before, ${load.after} after the timed passes${load.before > 0.5 || load.after > 1.5 ? ' (machine busy: absolute MB/s are low, ratios hold better)' : ''}.`,
    '',
    '| implementation | MB/s (median) | MB/s (min–max) | ms per pass (median) | wasm is … × this |',
    '|---|---:|---:|---:|---:|',
    ...rows,
    '',
    '| ratio | of medians | paired (median of per-round ratios) | target | |',
    '|---|---:|---:|---:|---|',
    ...ratioRows,
    ...(floor
      ? [
          '',
          `Floors (tests/bench/floor.rs, same passes): the most any lol_html rewriter can reach here is ` +
            `${fmt(stats['floor-visit'].medianMBps / stats.htmlparser2.medianMBps, 2)}× htmlparser2 without resolving a URL, ` +
            `${fmt(stats['floor-resolve'].medianMBps / stats.htmlparser2.medianMBps, 2)}× with resolution, ` +
            `${fmt(stats['floor-rewrite'].medianMBps / stats.htmlparser2.medianMBps, 2)}× writing href/src back and nothing else ` +
            `(target for the engine: ≥ 2×). ` +
            `Floor module: ${floor.size.raw.toLocaleString('en')} bytes raw, ${floor.size.gzip.toLocaleString('en')} bytes gzip -9 ` +
            `(lol_html + encoding_rs + url with its IDNA tables, same profile and wasm-opt; size targets ≤ 600,000 / ≤ 300,000).`,
        ]
      : []),
    '',
    `WASM module \`dist/extension/pkg/sitemirror_bg.wasm\`: ${size.raw.toLocaleString('en')} bytes raw, ` +
      `${size.gzip.toLocaleString('en')} bytes gzip -9 (sha256 ${size.sha256.slice(0, 12)}…); Cargo \`profile.release\` opt-level = ${opt.release ?? '?'}` +
      `${opt.wasmOpt ? `, then wasm-opt ${opt.wasmOpt}` : ''}. Native column: \`profile.bench-native\` opt-level = ${opt.benchNative ?? '?'}.`,
    '',
    `Mirror URLs written over all files (work parity): wasm ${parity.wasm.toLocaleString('en')}, parse5 ${parity.parse5.toLocaleString('en')}, htmlparser2 ${parity.htmlparser2.toLocaleString('en')}.`,
    'The JS peers are given pre-decoded strings and return strings (no UTF-8 decode/encode timed, favouring them); ' +
      'WASM takes and returns bytes. ' + PEER_DIFFERENCES,
  ].join('\n');

  console.log('\n--- BENCHMARKS.md snippet ---\n' + md + '\n--- end ---');

  const result = {
    date: new Date().toISOString(),
    command: `node tests/bench/rewrite.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { load, cpus: os.cpus().length, cpu, node: process.version, v8: process.versions.v8, platform: `${os.platform()} ${os.release()}` },
    input: { corpus: 'htmlparser-benchmark 1.1.3', files: docs.length, bytes: totalBytes, urlBase: DOC_BASE, mirrorPrefix: MIRROR_PREFIX, mode: 'static' },
    passes: args.passes,
    warmup: args.warmup,
    order,
    stats,
    ratios,
    wasm: { path: path.relative(ROOT, WASM_PATH), ...size, optLevel: opt.release, wasmOpt: opt.wasmOpt },
    native: args.native ? { path: args.native, optLevel: opt.benchNative, reportedBytes: nativeBytes } : null,
    floor: floor ? { path: args.floor, ...floor.size } : null,
    parity,
    outputBytes: outBytes,
    sanity,
    notes: [
      'JS peers get pre-decoded strings and return strings; WASM is bytes in, bytes out.',
      PEER_DIFFERENCES,
      'Implementation order rotated each round (A B C D, B C D A, ...).',
    ],
  };
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nresults written to ${path.relative(ROOT, RESULTS)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
