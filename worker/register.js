/**
 * One-script-tag registration of the sitemirror site worker:
 *   <script src="/register.js" defer></script>
 * `defer` keeps it off the critical rendering path. `updateViaCache: 'none'` makes the browser
 * revalidate sw.js AND its imported engine glue on update checks, so a new engine deploy is picked up
 * even when the site serves long-lived caching headers.
 */
if ('serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('/sw.js', { scope: '/', updateViaCache: 'none' })
    .catch((err) => console.warn('sitemirror: service worker registration failed', err));
}
