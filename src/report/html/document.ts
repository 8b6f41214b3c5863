/**
 * The `<head>` every svclab HTML page shares (the run report and the compare matrix): offline
 * only, inline styles, light and dark colour schemes, no favicon request.
 */
import { html, raw, type Raw } from './escape.js';

/** Nothing may load from anywhere: only the inline style and script, and data: images. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** `<head>…</head>` with the CSP, the page title (escaped) and the page's inline CSS (trusted). */
export function documentHead(title: string, styles: string): Raw {
  return html`<head>
<meta charset="utf-8">
<meta name="generator" content="svclab">
<meta http-equiv="Content-Security-Policy" content="${raw(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${raw(styles)}</style>
</head>`;
}
