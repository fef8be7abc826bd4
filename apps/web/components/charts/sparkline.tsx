import { runningBest } from '../../lib/convergence';
import { formatNumber } from '../../lib/format';
import type { Direction } from '../../lib/types';

/** A tiny SVG history of the best value so far (cheap enough for every row of the studies list). */
export function Sparkline({
  values,
  direction,
  width = 120,
  height = 28,
}: {
  values: readonly number[];
  direction: Direction;
  width?: number;
  height?: number;
}) {
  const best = runningBest(values, direction);
  if (best.length < 2) {
    return (
      <span className="faint" style={{ fontSize: 12 }}>
        {best.length === 1 ? formatNumber(best[0] ?? null) : 'no data'}
      </span>
    );
  }
  const raw = values.filter((v) => Number.isFinite(v));
  // Scale to the best-so-far line and the typical trial, not to outliers (dots beyond are clipped).
  const sorted = [...raw].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const lo = Math.min(...best, median);
  const hi = Math.max(...best, median);
  const span = hi - lo || 1;
  const x = (i: number) => (i / (raw.length - 1)) * (width - 4) + 2;
  const y = (v: number) => height - 3 - ((v - lo) / span) * (height - 6);
  const dots = raw.length <= 200 ? raw : [];
  const inside = (v: number) => v >= lo && v <= hi;
  const path = best.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const last = best[best.length - 1] ?? 0;
  return (
    <svg
      className="spark"
      width={width}
      height={height}
      role="img"
      aria-label={`Best value history, now ${formatNumber(last)}`}
    >
      {dots.map((v, i) =>
        inside(v) ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional points
          <circle key={i} cx={x(i)} cy={y(v)} r={1.3} fill="var(--text-faint)" opacity={0.6} />
        ) : null,
      )}
      <path d={path} fill="none" stroke="var(--good)" strokeWidth={1.6} />
      <circle cx={x(best.length - 1)} cy={y(last)} r={2.4} fill="var(--good)" />
    </svg>
  );
}
