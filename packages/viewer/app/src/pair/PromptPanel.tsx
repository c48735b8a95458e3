import type { AgentLane } from '../../../src/model.ts'
import { trajectoryHref } from '../data.ts'

/** Each agent's system prompt and task, folded: what the agent was told before its first step. */
export function PromptPanel({ lanes, pairId }: { lanes: AgentLane[]; pairId: string }) {
  return (
    <div class="prompts">
      {lanes.map((lane) => (
        <details key={lane.id} class="prompt" data-lane={lane.id}>
          <summary>
            {`${lane.id}: system prompt and task · `}
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
