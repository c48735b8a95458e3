let context: CanvasRenderingContext2D | null | undefined

/**
 * A column as wide as the widest of `texts` in the page's 12 px font (styles.css; 11 px notes fit) plus a margin, at least
 * `min`: a long run name is drawn whole, where a fixed column cut it at the chart's edge.
 */
export function columnWidth(min: number, ...texts: string[]): number {
  context ??= document.createElement('canvas').getContext('2d')
  if (context) context.font = `12px ${getComputedStyle(document.body).fontFamily}`
  const widths = texts.map((text) => (context ? context.measureText(text).width : text.length * 9))
  return Math.ceil(Math.max(min, ...widths.map((w) => w + 14)))
}
