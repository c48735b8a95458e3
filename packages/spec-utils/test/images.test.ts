import { describe, expect, it } from 'vitest'
import { imageName } from '../src/images.js'

const template = '{namespace}/cooperbench-{slug}:task{taskId}'

describe('imageName', () => {
  it.each([
    ['dottxt_ai_outlines_task', 1371, 'akhatua/cooperbench-dottxt-ai-outlines:task1371'],
    ['openai_tiktoken_task', 0, 'akhatua/cooperbench-openai-tiktoken:task0'],
    ['llama_index_task', 17244, 'akhatua/cooperbench-llama-index:task17244'],
    ['samuelcolvin_dirty_equals_task', 43, 'akhatua/cooperbench-samuelcolvin-dirty-equals:task43'],
  ])('names %s task %i like the reference', (repo, taskId, expected) => {
    expect(imageName(template, 'akhatua', repo, taskId)).toBe(expected)
  })

  it('takes another namespace and a whole template', () => {
    expect(imageName(template, 'mirror.local/cb', 'typst_task', 6554)).toBe('mirror.local/cb/cooperbench-typst:task6554')
    expect(imageName('cb-{repo}-{taskId}', 'x', 'go_chi_task', 26)).toBe('cb-go_chi_task-26')
  })
})
