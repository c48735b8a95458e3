/**
 * CI reporter: each failure printed the moment it happens, with its message, not only in the summary
 * at the end. A run cut short (CI's time limit, a loaded machine where the suite takes hours) still
 * shows what failed and why.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node'

function firstLines(text: string | undefined, count = 40): string {
  return (text ?? '').split('\n').slice(0, count).join('\n')
}

export default class FailuresAtOnce implements Reporter {
  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result()
    if (result.state !== 'failed') return
    const errors = result.errors.map((error) => firstLines(error.message)).join('\n---\n')
    process.stderr.write(`\n[failed] ${testCase.module.moduleId} > ${testCase.fullName}\n${errors}\n\n`)
  }

  onTestModuleEnd(testModule: TestModule): void {
    for (const error of testModule.errors()) {
      process.stderr.write(`\n[failed] ${testModule.moduleId} (the file)\n${firstLines(error.message)}\n\n`)
    }
  }
}
