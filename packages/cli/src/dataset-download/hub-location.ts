import { HUB_URL } from '@huggingface/hub'
import { CooperbenchError } from '@cooperbench/core'

/** The Hugging Face dataset repo that holds the CooperBench dataset. */
export const DATASET_REPO = 'cooperbench/cooperbench'

/** Where and how to reach the dataset: the hub (HF_ENDPOINT), the revision, the token (HF_TOKEN). */
export interface HubLocation {
  hubUrl: string
  repo: { type: 'dataset'; name: string }
  revision: string
  accessToken: string | undefined
}

/** The command that fetches the dataset without cooperbench, into `dir`. */
export function manualCloneCommand(dir: string): string {
  return `git clone https://huggingface.co/datasets/${DATASET_REPO} ${dir}`
}

/** The hub and token from the environment, as the Hugging Face tools read them. */
export function hubLocationFromEnv(revision: string, env: NodeJS.ProcessEnv = process.env): HubLocation {
  const endpoint = env.HF_ENDPOINT?.trim() || HUB_URL
  const parsed = URL.parse(endpoint)
  if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new CooperbenchError('USAGE', `HF_ENDPOINT is not an http(s) URL: ${JSON.stringify(endpoint)}`, {
      hint: `Set HF_ENDPOINT to the hub's address, e.g. ${HUB_URL}, or unset it.`,
    })
  }
  const hubUrl = parsed.href.replace(/\/+$/, '')
  const token = env.HF_TOKEN?.trim() || undefined
  // The hub client refuses other tokens; say so before any request.
  if (token !== undefined && !token.startsWith('hf_')) {
    throw new CooperbenchError('USAGE', 'HF_TOKEN does not look like a Hugging Face access token (they start with hf_)', {
      hint: 'Create a read token at https://huggingface.co/settings/tokens and export HF_TOKEN=hf_…, or unset HF_TOKEN for the public dataset.',
    })
  }
  return { hubUrl, repo: { type: 'dataset', name: DATASET_REPO }, revision, accessToken: token }
}

/** `cooperbench/cooperbench@main on https://huggingface.co`, for messages. */
export function describeLocation(location: HubLocation): string {
  return `${location.repo.name}@${location.revision} on ${location.hubUrl}`
}
