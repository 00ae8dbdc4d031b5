/**
 * End-to-end: the product demo (demo.mjs, also `./build.sh demo`) run headless as part of the test suite. Every
 * step must succeed — demo site live, "Mirror this site", capture as you browse + dashboard, origin stopped →
 * offline copy, navigation inside the offline copy — and each writes its screenshot. The suite writes them under
 * target/ (so a test run leaves the tracked tree as it was); `./build.sh demo` writes the README's images
 * (docs/screenshots/01-…05-*.png).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runDemo, STEPS } from './demo.mjs';
import { ROOT } from './lib/browser.mjs';

const SHOTS = path.join(ROOT, 'target/test-logs/screenshots');

/** Width and height from a PNG's IHDR chunk; throws if the bytes are not a PNG. */
function pngSize(buf) {
  assert.ok(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'PNG signature');
  assert.equal(buf.toString('latin1', 12, 16), 'IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

test('demo: mirror the demo site, stop its origin, read it offline — with a screenshot of each step', { timeout: 120_000 }, async (t) => {
  const result = await runDemo({ headless: true, shotsDir: SHOTS, log: (text) => text.split('\n').forEach((line) => t.diagnostic(line)) });
  assert.deepEqual(
    result.steps.map((s) => s.n),
    STEPS.map((_, i) => i + 1),
    'every step ran, in order',
  );
  for (const [i, s] of result.steps.entries()) {
    assert.equal(s.screenshot, path.join(SHOTS, STEPS[i].file));
    assert.ok(s.summary.length > 0);
    const png = await readFile(s.screenshot);
    const { width, height } = pngSize(png);
    assert.ok(width >= 300 && height >= 200, `${STEPS[i].file} is ${width}×${height}`);
    // A blank or near-blank page compresses to a few hundred bytes; these show real content.
    assert.ok(png.length > 8000, `${STEPS[i].file} is only ${png.length} bytes`);
  }
  assert.match(result.steps[3].summary, /landed on the viewer in \d+ ms: “Offline copy”/);
  assert.ok(result.ms < 60_000, `the demo took ${result.ms} ms`);
});
