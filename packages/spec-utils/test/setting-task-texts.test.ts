import { describe, expect, it } from 'vitest'
import { joinedFeatureTexts } from '../src/setting/index.js'

describe("joinedFeatureTexts: solo's task text (docs/reference-compatibility.md#running)", () => {
  it('joins `## Feature <id>` blocks ascending with --- separators, texts verbatim', () => {
    const text = joinedFeatureTexts([
      { id: 5, text: 'Five.\n' },
      { id: 1, text: '**Title**: One\n' },
    ])
    expect(text).toBe('## Feature 1\n\n**Title**: One\n\n\n---\n\n## Feature 5\n\nFive.\n')
  })
})
