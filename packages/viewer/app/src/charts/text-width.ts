let context: CanvasRenderingContext2D | null | undefined

/** A column fitting the widest of `texts` in the page's 12 px font (11 px notes fit), at least `min`: a fixed one cut long run names. */
export function columnWidth(min: number, ...texts: string[]): number {
  context ??= document.createElement('canvas').getContext('2d')
  if (context) context.font = `12px ${getComputedStyle(document.body).fontFamily}`
  const widths = texts.map((text) => (context ? context.measureText(text).width : text.length * 9))
  return Math.ceil(Math.max(min, ...widths.map((w) => w + 14)))
}
