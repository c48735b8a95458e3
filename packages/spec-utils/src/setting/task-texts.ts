/**
 * The task text of one agent given several features (docs/reference-compatibility.md#running): per
 * feature, ascending by id (fixed here: the reference kept the user's order), `## Feature <id>`, a
 * blank line and the spec; blocks joined by a blank line, `---`, a blank line. Solo's.
 */
export function joinedFeatureTexts(texts: ReadonlyArray<{ id: number; text: string }>): string {
  return [...texts]
    .sort((a, b) => a.id - b.id)
    .map(({ id, text }) => `## Feature ${id}\n\n${text}`)
    .join('\n\n---\n\n')
}
