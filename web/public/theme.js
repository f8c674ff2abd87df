/* global document, localStorage, matchMedia */
// The theme before the first paint, to avoid a flash. A file of its own, not inline: the
// Content-Security-Policy allows no inline script.
try {
  const saved = localStorage.getItem('tandem.theme');
  document.documentElement.dataset.theme = saved || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
} catch {
  // No storage (private mode, blocked): the app picks the theme once it runs.
}
