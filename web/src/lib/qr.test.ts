import { describe, expect, it } from 'vitest';
import { qrMatrix, qrPath, type QrMatrix } from './qr';

function matrixOf(rows: string[]): QrMatrix {
  return { size: rows.length, isDark: (row, column) => rows[row]?.[column] === '#' };
}

describe('qrPath', () => {
  it('draws each run of dark modules in a row as one rectangle, shifted by the margin', () => {
    const matrix = matrixOf(['##.#', '....', '.###', '#..#']);
    expect(qrPath(matrix)).toBe('M0 0h2v1h-2zM3 0h1v1h-1zM1 2h3v1h-3zM0 3h1v1h-1zM3 3h1v1h-1z');
    expect(qrPath(matrix, 4)).toMatch(/^M4 4h2v1h-2z/);
    expect(qrPath(matrixOf(['..', '..']))).toBe('');
  });
});

describe('qrMatrix', () => {
  const uri = 'otpauth://totp/TaskMaster:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=TaskMaster';

  it('encodes an otpauth URI in a square code with its three finder patterns', () => {
    const matrix = qrMatrix(uri);
    expect((matrix.size - 17) % 4).toBe(0); // sizes go 21, 25, 29…
    expect(matrix.size).toBeGreaterThanOrEqual(33);
    // Each finder pattern: a dark 7 × 7 ring around a light ring around a dark 3 × 3 centre.
    for (const [top, left] of [
      [0, 0],
      [0, matrix.size - 7],
      [matrix.size - 7, 0],
    ] as const) {
      expect(matrix.isDark(top, left)).toBe(true);
      expect(matrix.isDark(top + 1, left + 1)).toBe(false);
      expect(matrix.isDark(top + 3, left + 3)).toBe(true);
      expect(matrix.isDark(top + 6, left + 6)).toBe(true);
    }
  });

  it('is the same code for the same text', () => {
    expect(qrPath(qrMatrix(uri))).toBe(qrPath(qrMatrix(uri)));
  });
});
