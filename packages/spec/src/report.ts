/**
 * `@cooperbench/spec/report`: the report's part of the contracts. A setting's `report` (its
 * registration's `SettingReporter`) gets its runs as plain data and returns sections, which every
 * format of `cooperbench report` renders from the one section model (`ReportSection`, its cells).
 */
export * from './contracts/report-section.js'
export * from './contracts/setting-report.js'
