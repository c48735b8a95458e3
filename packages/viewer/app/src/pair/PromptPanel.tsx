import type { AgentLane } from '../../../src/model.ts'
import { trajectoryHref } from '../data.ts'
import { ownAgentText } from '../format.ts'

/** Each agent's system prompt and task, folded: what the agent was told before its first step. */
export function PromptPanel({ lanes, pairId }: { lanes: AgentLane[]; pairId: string }) {
  const renamed = lanes.some((lane) => lane.trajectoryFile.split('/').at(-1) !== `${lane.agentId}_traj.json`)
  return (
    <div class="prompts">
      {renamed && (
        <p class="note trajectory-names">
          Trajectory files are numbered by feature (<code>agentN_traj.json</code> is the agent of feature N); the lanes and messages name the agents as the run
          did, agent1, agent2 … in feature order.
        </p>
      )}
      {lanes.map((lane) => (
        <details key={lane.id} class="prompt" data-lane={lane.id}>
          <summary>
            {`${lane.id} (feature${lane.featureIds.length > 1 ? 's' : ''} ${lane.featureIds.join(', ')})${ownAgentText(lane)}: system prompt and task · `}
            <a
              class="raw-trajectory"
              href={trajectoryHref(pairId, lane.trajectoryFile)}
              target="_blank"
              rel="noreferrer"
            >{`raw trajectory (${lane.trajectoryFile})`}</a>
          </summary>
          <h3>System prompt</h3>
          <pre class="system-prompt">{lane.systemPrompt ?? '(none in the trajectory)'}</pre>
          <h3>Task</h3>
          <pre class="task">{lane.task ?? '(none in the trajectory)'}</pre>
        </details>
      ))}
    </div>
  )
}
