/**
 * `@cooperbench/spec-utils/setting`: what collaboration settings compose their protocols with beside
 * the harness's services: the judged patch of a feature's agent or of a lone agent, a channel's
 * `conversation.json`, the joined task text of an agent given several features.
 */
export { conversationOf } from './conversation.js'
export { featureAgentPatch, loneAgentPatch } from './judged-patches.js'
export { joinedFeatureTexts } from './task-texts.js'
export { type FeatureAgentsOptions, type FeatureAgentsOutcome, featureAgentFiles, featureAgentsRecord, runFeatureAgents, totals } from './feature-agents.js'
export { type RecordedSeat, recordedSeats } from './seat-files.js'
