export { checkGoldTests, failingLines, goldTestPairs, type CheckGoldTestsOptions, type GoldTestResult } from './check-gold-tests.js'
