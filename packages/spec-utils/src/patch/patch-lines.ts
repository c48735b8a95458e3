/** A patch's line count as result.json records it (`patch_lines`): its lines, a last one without a newline included. */
export function countPatchLines(patch: string): number {
  if (patch === '') return 0
  return patch.endsWith('\n') ? patch.split('\n').length - 1 : patch.split('\n').length
}
