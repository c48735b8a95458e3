import { CooperbenchError } from '@cooperbench/spec'

/** A file given as a bundle that is not one (exit 2): `cause` is one line, the archive's first fault. */
export function notABundle(file: string, cause: string): CooperbenchError {
  return new CooperbenchError('BUNDLE_INVALID', `${file} is not a cooperbench bundle: ${cause}`, {
    hint: 'Give the .tar.gz that `cooperbench bundle` wrote, as it wrote it.',
  })
}

/**
 * A bundle whose files are not what it claims or what its patches give (exit 1): `message` names
 * the first file that differs.
 */
export function bundleMismatch(message: string): CooperbenchError {
  return new CooperbenchError('BUNDLE_MISMATCH', `the bundle does not verify: ${message}`, {
    hint: "It is not what its author's untouched runs give on this dataset: ask for a bundle made from them, or check the dataset.",
  })
}
