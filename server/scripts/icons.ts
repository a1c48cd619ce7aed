/**
 * Generates the add-in icons referenced by the manifest (`<host>/assets/icon-NN.png`):
 * a deep-teal rounded square with a white ruble-sign mark, anti-aliased by supersampling,
 * encoded as RGBA PNG with node:zlib only (no image libraries).
 *
 *   node --import tsx server/scripts/icons.ts [--out addin/public/assets]
 *
 * Output is deterministic; the generated PNGs are committed (Vite copies addin/public/ to the build root).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import { ICON_SIZES } from '../src/manifest/manifest.ts';

type Rgb = readonly [number, number, number];
const TEAL: Rgb = [0x0b, 0x5e, 0x66];
const WHITE: Rgb = [0xff, 0xff, 0xff];

// ---------------------------------------------------------------------------------------------
// Shapes, in unit coordinates (0..1, y down).

const CORNER = 0.22;

function inRoundedSquare(x: number, y: number): boolean {
  if (x < 0 || x > 1 || y < 0 || y > 1) return false;
  const cx = Math.min(Math.max(x, CORNER), 1 - CORNER);
  const cy = Math.min(Math.max(y, CORNER), 1 - CORNER);
  return (x - cx) ** 2 + (y - cy) ** 2 <= CORNER ** 2;
}

// Ruble sign "₽": a stem, a "P" bowl to its right and a crossbar under the bowl.
const W = 0.115; // stroke width
const STEM_X = 0.335; // stem left edge
const TOP = 0.2;
const BOTTOM = 0.8;
const BOWL_TOP = TOP + W / 2; // stroke centre lines of the bowl
const BOWL_BOTTOM = 0.54 - W / 2;
const BOWL_R = (BOWL_BOTTOM - BOWL_TOP) / 2;
const BOWL_CX = 0.52;
const BOWL_CY = (BOWL_TOP + BOWL_BOTTOM) / 2;
const BAR_Y = 0.665;
const BAR_H = W * 0.85;
const BAR_X0 = 0.215;
const BAR_X1 = 0.62;
// Centre the glyph horizontally: its extent is BAR_X0 .. BOWL_CX + BOWL_R + W/2.
const DX = 0.5 - (BAR_X0 + BOWL_CX + BOWL_R + W / 2) / 2;

function inMark(px: number, py: number): boolean {
  const x = px - DX;
  const y = py;
  // stem
  if (x >= STEM_X && x <= STEM_X + W && y >= TOP && y <= BOTTOM) return true;
  // bowl: two horizontal strokes from the stem to the arc centre, then a right half-ring
  if (x >= STEM_X && x <= BOWL_CX) {
    if (Math.abs(y - BOWL_TOP) <= W / 2 || Math.abs(y - BOWL_BOTTOM) <= W / 2) return true;
  }
  if (x >= BOWL_CX) {
    const d = Math.hypot(x - BOWL_CX, y - BOWL_CY);
    if (Math.abs(d - BOWL_R) <= W / 2) return true;
  }
  // crossbar
  return x >= BAR_X0 && x <= BAR_X1 && Math.abs(y - BAR_Y) <= BAR_H / 2;
}

/** Renders `size`×`size` straight-alpha RGBA pixels, supersampling each pixel on a grid. */
export function renderIcon(size: number, samples = 8): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  const n = samples * samples;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let mark = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (!inRoundedSquare(x, y)) continue;
          bg++;
          if (inMark(x, y)) mark++;
        }
      }
      const o = (py * size + px) * 4;
      const t = bg === 0 ? 0 : mark / bg; // share of the visible area covered by the mark
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round(TEAL[c]! * (1 - t) + WHITE[c]! * t);
      rgba[o + 3] = Math.round((255 * bg) / n);
    }
  }
  return rgba;
}

// ---------------------------------------------------------------------------------------------
// Minimal PNG encoder (8-bit RGBA, no interlace, filter 0 on every row).

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type: None
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  let outDir: string;
  try {
    const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
    outDir = values.out
      ? resolve(process.cwd(), values.out)
      : fileURLToPath(new URL('../../addin/public/assets/', import.meta.url));
  } catch (err) {
    process.stderr.write(`icons: ${(err as Error).message}\nUsage: icons.ts [--out <dir>]\n`);
    process.exit(1);
  }
  mkdirSync(outDir, { recursive: true });
  for (const size of ICON_SIZES) {
    const file = join(outDir, `icon-${size}.png`);
    writeFileSync(file, encodePng(size, size, renderIcon(size)));
    process.stdout.write(`icons: wrote ${file}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
