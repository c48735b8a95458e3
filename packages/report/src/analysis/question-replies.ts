import type { ConversationEntry } from '@cooperbench/spec'

/** Who a message to one of these goes to: everyone, the asker included. */
const BROADCAST_TARGETS = new Set(['all', '*', 'broadcast', 'everyone'])

/** What an agent says to acknowledge without saying anything: none of it answers a question. */
const ACKNOWLEDGEMENT =
  /\b(?:done|ok(?:ay)?|k|thanks?|thank you|thx|got it|sounds good|great|good|noted|ack(?:nowledged)?|will do|sure|cool|perfect|understood|roger|all set|finished|complete(?:d)?|submitted|submitting|bye|hi|hello|hey|agent\d*|from|me|my|side|too|as well|now|here|all|the|is|on|it|i'?m|i am|i have|i'?ve|i)\b|[^\p{L}\p{N}]+/giu
/** A reply that opens with a verdict answers a yes/no question. */
const VERDICT = /^\W*(?:yes|yeah|yep|no|nope|nah|correct|right|exactly|agreed|negative)\b/i
/** Words too common to show that a reply is about the question. */
const COMMON = new Set(
  (
    'about also already another because been before being both change changes changed could does doing done each else even ' +
    'feature features file files from going good great have here into just know like make more much need only other over ' +
    'please same should some still sure than thank thanks that their them then there these they this those through used ' +
    'using want what when where which while will with work would your yours task code after later first part line lines'
  ).split(' '),
)

/**
 * Whether `reply` answers `question` (a `?` message from `question.from` to `question.to`): it comes later, from the asked agent to the asker
 * (or everyone); it is more than an acknowledgement (words remain once "done", "ok", "thanks", "got it", "submitted" and the like go); it opens
 * with a verdict (yes, no, correct …) or shares a term with the asking message (its questions and their context): a name with `_ . /` or a
 * digit (`slug.py`, `max_length`, `10-30`) or an uncommon word of four letters or more ("separator"); without such a term, any
 * more-than-acknowledgement answers. A text heuristic: an answer in other words, or a final report naming a questioned file, is miscounted.
 */
function answers(question: ConversationEntry, reply: ConversationEntry) {
  if (reply.from !== question.to || !(reply.to === question.from || BROADCAST_TARGETS.has(reply.to))) return false
  if (reply.message.replace(ACKNOWLEDGEMENT, '').trim() === '') return false
  if (VERDICT.test(reply.message)) return true
  const asked = termsOf(question.message)
  return asked.size === 0 || [...termsOf(reply.message)].some((term) => asked.has(term))
}

/** Questions to a named agent (not to everyone) that no later message of the conversation answers. */
export function unansweredQuestions(conversation: readonly ConversationEntry[]): Array<{ from: string; to: string; quote: string }> {
  return conversation
    .filter(
      (entry, index) =>
        entry.message.includes('?') && !BROADCAST_TARGETS.has(entry.to) && !conversation.slice(index + 1).some((later) => answers(entry, later)),
    )
    .map((entry) => ({ from: entry.from, to: entry.to, quote: questionSentences(entry.message)[0]!.slice(0, 300) }))
}

/** The sentences of a message that ask (end in or hold a `?`); the whole message when it cannot be split. */
function questionSentences(message: string) {
  const asking = message
    .split(/(?<=[.!?])\s+|\n+/)
    .map((part) => part.trim())
    .filter((part) => part.includes('?'))
  return asking.length ? asking : [message.trim()]
}

function termsOf(text: string) {
  const terms = new Set<string>()
  for (const [raw] of text.matchAll(/[\p{L}\p{N}_][\p{L}\p{N}_./-]*[\p{L}\p{N}_]|[\p{L}\p{N}_]/gu)) {
    const term = raw.toLowerCase()
    const named = /[_./]|\d/.test(term) || /[a-z][A-Z]/.test(raw)
    if (/^agent\d*$/.test(term)) continue
    if (named || (term.length >= 4 && !COMMON.has(term))) terms.add(term.replace(/(?<=\w{3})s$/, ''))
  }
  return terms
}
