import { create } from 'qrcode';

/** A QR code's modules: `size` × `size`, each dark or light. */
export interface QrMatrix {
  size: number;
  isDark: (row: number, column: number) => boolean;
}

/** The QR code of `text` (error correction M: a phone camera reads it off a screen with ease). */
export function qrMatrix(text: string): QrMatrix {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  return { size: modules.size, isDark: (row, column) => modules.get(row, column) === 1 };
}

/**
 * An SVG path that draws the dark modules in a 1-unit grid, shifted by `margin` units (the quiet
 * zone): one rectangle for each run of dark modules in a row, so a 33 × 33 code is a few hundred
 * path commands, not a thousand elements.
 */
export function qrPath(matrix: QrMatrix, margin = 0): string {
  const parts: string[] = [];
  for (let row = 0; row < matrix.size; row++) {
    let column = 0;
    while (column < matrix.size) {
      if (!matrix.isDark(row, column)) {
        column++;
        continue;
      }
      const start = column;
      while (column < matrix.size && matrix.isDark(row, column)) column++;
      parts.push(`M${start + margin} ${row + margin}h${column - start}v1h-${column - start}z`);
    }
  }
  return parts.join('');
}
