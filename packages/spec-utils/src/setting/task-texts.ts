/**
 * Solo's task text for several features (docs/reference-compatibility.md#running): `## Feature <id>`, a blank line, the spec, by id
 * ascending (the reference kept the user's order); blocks joined by a blank line, `---`, a blank line.
 */
export function joinedFeatureTexts(texts: ReadonlyArray<{ id: number; text: string }>): string {
  return [...texts]
    .sort((a, b) => a.id - b.id)
    .map(({ id, text }) => `## Feature ${id}\n\n${text}`)
    .join('\n\n---\n\n')
}
