/** `@cooperbench/spec/report`: a setting's `SettingReporter` gets its runs as plain data, returns sections (`ReportSection`) every format renders. */
export * from './contracts/report-section.js'
export * from './contracts/setting-report.js'
