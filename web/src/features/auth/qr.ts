// The QR code an authenticator app scans, drawn here (the `qrcode` package encodes it) as an
// SVG image in a data: URL: nothing is fetched, and the Content-Security-Policy allows data:
// images. Black modules on white whatever the theme, with the quiet zone scanners need.
import { create } from 'qrcode';

/** The SVG of `text` as a QR code, one unit per module, `margin` modules of white around. */
export function qrSvg(text: string, margin = 4): string {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const total = size + margin * 2;
  let path = '';
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      // A run of dark modules in the row is one rectangle.
      let run = 1;
      while (col + run < size && modules.get(row, col + run)) run++;
      path += `M${col + margin} ${row + margin}h${run}v1h-${run}z`;
      col += run;
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${total} ${total}" shape-rendering="crispEdges">` +
    `<rect width="${total}" height="${total}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}

/** `qrSvg` as a data: URL for an <img>. */
export function qrDataUrl(text: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg(text))}`;
}
