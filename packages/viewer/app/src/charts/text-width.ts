let context: CanvasRenderingContext2D | null | undefined

/**
 * A chart column as wide as the widest of `texts` drawn in the page's font at 12 px (styles.css:
 * labels and values; 11 px notes fit too) plus a margin, at least `min`: a run name is drawn whole
 * however long, where a fixed column cut it at the chart's edge.
 */
export function columnWidth(min: number, ...texts: string[]): number {
  context ??= document.createElement('canvas').getContext('2d')
  if (context) context.font = `12px ${getComputedStyle(document.body).fontFamily}`
  const widths = texts.map((text) => (context ? context.measureText(text).width : text.length * 9))
  return Math.ceil(Math.max(min, ...widths.map((w) => w + 14)))
}
