/** `@cooperbench/spec-utils/setting`: what settings build protocols from beside the harness's services: judged patches, conversations, task texts. */
export { conversationOf } from './conversation.js'
export { featureAgentPatch, loneAgentPatch } from './judged-patches.js'
export { joinedFeatureTexts } from './task-texts.js'
export { type FeatureAgentsOptions, type FeatureAgentsOutcome, featureAgentFiles, featureAgentsRecord, runFeatureAgents, totals } from './feature-agents.js'
export { type RecordedSeat, recordedSeats } from './seat-files.js'
