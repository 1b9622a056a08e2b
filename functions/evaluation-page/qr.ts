/**
 * The family survey's QR code as inline SVG (issue 15): the `qrcode` package's encoder only
 * (lib/core: the symbol's modules), drawn here as one path — its renderers would bring a PNG
 * encoder into the function for nothing.
 */
// @ts-expect-error: the core encoder has no type declarations of its own (shape below).
import { create } from 'qrcode/lib/core/qrcode.js';

interface Symbol {
  modules: { size: number; data: Uint8Array | boolean[] };
}

/** Black modules on white, with a 4-module quiet zone (ISO/IEC 18004), scaled by the page's CSS. */
export const qrSvg = (text: string): string => {
  const { modules } = (create as (t: string, o: object) => Symbol)(text, { errorCorrectionLevel: 'M' });
  const { size, data } = modules;
  const q = 4;
  let d = '';
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) if (data[y * size + x]) d += `M${x + q} ${y + q}h1v1h-1z`;
  const full = size + 2 * q;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges"><rect width="${full}" height="${full}" fill="#fff"/><path fill="#000" d="${d}"/></svg>`;
};
