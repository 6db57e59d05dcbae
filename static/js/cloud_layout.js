// « En un mot »: the word cloud's layout and drawing (issue 19). The same algorithm as
// facilitation/exports/cloud.py, line for line, so the projector and the exports agree:
// words largest first, each on an Archimedean spiral from the centre at the first spot where
// its box overlaps no other; sizes from the counts (square root); widths estimated from the
// number of characters (the SVG then fits each word to its box with textLength); when a
// word finds no room every size shrinks and the layout starts again. Words via textContent.

export const MAX_WORDS = 60;
const CHAR_WIDTH = 0.6;
const LINE_HEIGHT = 1.15;
const PADDING = 6;
const SPIRAL_GROWTH = 3.0;
const SPIRAL_STEP = 0.25;
const ATTEMPTS = 8;
const SHRINK = 0.85;
const SVG = "http://www.w3.org/2000/svg";

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function spot(w, h, width, height, boxes) {
  const aspect = width / height;
  const limit = Math.hypot(width, height) / 2;
  for (let t = 0; SPIRAL_GROWTH * t <= limit; t += SPIRAL_STEP) {
    const r = SPIRAL_GROWTH * t;
    const x = Math.round(width / 2 + r * Math.cos(t) * aspect - w / 2);
    const y = Math.round(height / 2 + r * Math.sin(t) - h / 2);
    const box = { x, y, w, h };
    const inside = x >= 0 && y >= 0 && x + w <= width && y + h <= height;
    if (inside && !boxes.some((other) => overlaps(box, other))) return box;
  }
  return null;
}

/** words: [{label, count, key}] largest first → [{label, count, key, size, x, y, w, h, index}]. */
export function layoutCloud(words, { width = 1600, height = 900, maxSize = 120, minSize = 24 } = {}) {
  const list = words.slice(0, MAX_WORDS);
  if (!list.length) return [];
  const counts = list.map((w) => Number(w.count));
  const top = Math.max(...counts);
  const low = Math.min(...counts);
  let scale = 1;
  let placed = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    placed = [];
    let complete = true;
    for (let index = 0; index < list.length; index += 1) {
      const word = list[index];
      const label = String(word.label);
      const ratio = top === low ? 1 : (Number(word.count) - low) / (top - low);
      let size = (minSize + (maxSize - minSize) * Math.sqrt(ratio)) * scale;
      size = Math.floor(Math.min(size, (width - 2 * PADDING) / (Math.max([...label].length, 1) * CHAR_WIDTH)));
      const w = Math.ceil([...label].length * size * CHAR_WIDTH) + 2 * PADDING;
      const h = Math.ceil(size * LINE_HEIGHT);
      const box = spot(w, h, width, height, placed);
      if (!box) {
        if (attempt < ATTEMPTS - 1) { complete = false; break; }
        continue;
      }
      placed.push({ ...box, label, count: Number(word.count), key: String(word.key || ""), size, index });
    }
    if (complete) return placed;
    scale *= SHRINK;
  }
  return placed;
}

/** Draw `words` in `svg` (an <svg> element), sized to its box; returns the placed words. */
export function drawCloud(svg, words, { width, height, maxSize, minSize, highlight = new Set() } = {}) {
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const placed = layoutCloud(words, { width, height, maxSize, minSize });
  const nodes = placed.map((p) => {
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("x", String(p.x + p.w / 2));
    text.setAttribute("y", String(p.y + p.h / 2));
    text.setAttribute("font-size", String(p.size));
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("dominant-baseline", "central");
    text.setAttribute("textLength", String(p.w - 2 * PADDING));
    text.setAttribute("lengthAdjust", "spacingAndGlyphs");
    text.setAttribute("class", `cloud-word cloud-word--${p.index % 6}${highlight.has(p.key) ? " cloud-word--new" : ""}`);
    text.dataset.key = p.key;
    text.dataset.count = String(p.count);
    text.textContent = p.label;
    return text;
  });
  svg.replaceChildren(...nodes);
  return placed;
}
