import { useMemo } from 'react';
import { qrMatrix, qrPath } from '../lib/qr';

/** The light margin a reader needs around the code, in modules (the standard asks for four). */
const QUIET_ZONE = 4;

/**
 * `text` as a QR code, drawn as SVG (dark on light whatever the theme, so cameras read it). No
 * image: the Content-Security-Policy allows none from data: URLs made here.
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, path } = useMemo(() => {
    const matrix = qrMatrix(text);
    return { size: matrix.size + 2 * QUIET_ZONE, path: qrPath(matrix, QUIET_ZONE) };
  }, [text]);
  return (
    <svg
      className="qr-code"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
      data-testid="qr-code"
    >
      <rect className="qr-code__light" width={size} height={size} />
      <path className="qr-code__dark" d={path} />
    </svg>
  );
}
