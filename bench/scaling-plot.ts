// A hand-written SVG of the scaling results: evaluate cost, load time and memory against policy
// size (logarithmic x axis), one small panel each, readable in a browser or on GitHub.
import type { ScalingRow } from './scaling';

interface Series {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
}

const PANEL_WIDTH = 330;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 52, right: 14, top: 34, bottom: 58 };
const Y_TICKS = 4;
const COLORS = { total: '#1f77b4', hit: '#2ca02c', miss: '#d62728', rss: '#9467bd', heap: '#ff7f0e', load: '#1f77b4', reload: '#8c564b' };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** 1, 2 or 5 times a power of ten, at least `value`: axis maxima a reader can take in. */
function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((candidate) => candidate * power >= value) ?? 10;
  return step * power;
}

function formatTick(value: number): string {
  if (value >= 1000) return `${value / 1000}k`;
  return String(Number(value.toPrecision(3)));
}

function renderPanel(panel: Panel, offsetX: number, sizes: readonly number[]): string {
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const logMin = Math.log10(sizes[0]!);
  const logMax = Math.log10(sizes[sizes.length - 1]!);
  const x = (size: number): number => offsetX + MARGIN.left + (logMax === logMin ? 0 : ((Math.log10(size) - logMin) / (logMax - logMin)) * plotWidth);
  const yMax = niceCeiling(Math.max(...panel.series.flatMap((series) => series.values)));
  const y = (value: number): number => MARGIN.top + plotHeight - (value / yMax) * plotHeight;
  const parts: string[] = [
    `<text x="${offsetX + PANEL_WIDTH / 2}" y="18" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<line x1="${x(sizes[0]!)}" y1="${y(0)}" x2="${x(sizes[sizes.length - 1]!)}" y2="${y(0)}" stroke="#333"/>`,
    `<line x1="${x(sizes[0]!)}" y1="${y(0)}" x2="${x(sizes[0]!)}" y2="${y(yMax)}" stroke="#333"/>`,
    `<text x="${offsetX + 12}" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 ${offsetX + 12} ${MARGIN.top + plotHeight / 2})">${escapeXml(panel.unit)}</text>`,
  ];
  for (let tick = 0; tick <= Y_TICKS; tick += 1) {
    const value = (yMax * tick) / Y_TICKS;
    parts.push(`<line x1="${x(sizes[0]!)}" y1="${y(value)}" x2="${x(sizes[sizes.length - 1]!)}" y2="${y(value)}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(sizes[0]!) - 6}" y="${y(value) + 4}" text-anchor="end">${formatTick(value)}</text>`);
  }
  for (const size of sizes) parts.push(`<text x="${x(size)}" y="${y(0) + 16}" text-anchor="middle">${formatTick(size)}</text>`);
  parts.push(`<text x="${offsetX + MARGIN.left + plotWidth / 2}" y="${y(0) + 32}" text-anchor="middle">patterns (log scale)</text>`);
  panel.series.forEach((series, index) => {
    const points = series.values.map((value, at) => `${x(sizes[at]!).toFixed(1)},${y(value).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${points.join(' ')}"/>`);
    for (const point of points) {
      const [cx, cy] = point.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${series.color}"/>`);
    }
    const legendX = offsetX + MARGIN.left + index * 92;
    parts.push(`<rect x="${legendX}" y="${PANEL_HEIGHT - 14}" width="10" height="10" fill="${series.color}"/>`);
    parts.push(`<text x="${legendX + 14}" y="${PANEL_HEIGHT - 5}">${escapeXml(series.name)}</text>`);
  });
  return parts.join('\n  ');
}

export function renderScalingPlot(rows: readonly ScalingRow[]): string {
  const sizes = rows.map((row) => row.patterns);
  const panels: Panel[] = [
    {
      title: 'evaluate, one image',
      unit: 'µs',
      series: [
        { name: 'all', color: COLORS.total, values: rows.map((row) => row.evaluateUs) },
        { name: 'hit', color: COLORS.hit, values: rows.map((row) => row.evaluateHitUs) },
        { name: 'miss', color: COLORS.miss, values: rows.map((row) => row.evaluateMissUs) },
      ],
    },
    {
      title: 'load and compile',
      unit: 'ms',
      series: [
        { name: 'cold load', color: COLORS.load, values: rows.map((row) => row.loadMs) },
        { name: 'reload', color: COLORS.reload, values: rows.map((row) => row.reloadMs) },
      ],
    },
    {
      title: 'memory with the policy loaded',
      unit: 'MiB',
      series: [
        { name: 'RSS', color: COLORS.rss, values: rows.map((row) => row.rssMiB) },
        { name: 'heap used', color: COLORS.heap, values: rows.map((row) => row.heapUsedMiB) },
      ],
    },
  ];
  const width = PANEL_WIDTH * panels.length;
  const body = panels.map((panel, index) => renderPanel(panel, index * PANEL_WIDTH, sizes)).join('\n  ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_HEIGHT}" viewBox="0 0 ${width} ${PANEL_HEIGHT}" font-family="sans-serif" font-size="11">
  <rect width="100%" height="100%" fill="white"/>
  ${body}
</svg>
`;
}
