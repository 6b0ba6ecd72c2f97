/**
 * Chat templates: a model's own Jinja template from `tokenizer_config.json`, rendered with
 * `@huggingface/jinja` (the engine transformers.js uses) the way transformers'
 * `apply_chat_template` does — `messages`, `add_generation_prompt`, and the special tokens of
 * the tokenizer config as variables.
 */
import { Template } from '@huggingface/jinja'
import { TokenizerError } from '../errors.js'
import type { Tokenizer } from './types.js'

/** One chat turn. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** Options of `renderChat`. */
export interface ChatRenderOptions {
  /** End with the assistant's turn opener (what generation needs); default true. */
  addGenerationPrompt?: boolean
  /** Extra template variables (e.g. Qwen3's `enable_thinking: false`). */
  variables?: Record<string, unknown>
}

/** A compiled chat template. */
export interface ChatTemplate {
  /** The template source. */
  readonly source: string
  /** Renders `messages` to the prompt text. */
  render(messages: ChatMessage[], options?: ChatRenderOptions): string
  /** A single user turn, ready for the assistant's answer: how text-format task prompts are wrapped. */
  wrapUser(text: string, options?: Omit<ChatRenderOptions, 'addGenerationPrompt'>): string
}

const SPECIALS = ['bos_token', 'eos_token', 'pad_token', 'unk_token'] as const

/** Compiles `source` with the special tokens of `tokenizerConfig`; throws `TokenizerError` when it does not parse. */
export function chatTemplate (source: string, tokenizerConfig: Record<string, unknown> = {}): ChatTemplate {
  let template: Template
  try {
    template = new Template(source)
  } catch (err) {
    throw new TokenizerError(`tokenizer_config.json chat_template does not parse: ${(err as Error).message}`, { cause: err })
  }
  const specials: Record<string, string> = {}
  for (const key of SPECIALS) {
    const v = tokenizerConfig[key]
    const content = typeof v === 'string' ? v : (v !== null && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') ? (v as { content: string }).content : undefined
    if (content !== undefined) specials[key] = content
  }
  const render = (messages: ChatMessage[], options: ChatRenderOptions = {}): string => {
    try {
      return template.render({ ...specials, ...options.variables, messages, add_generation_prompt: options.addGenerationPrompt ?? true })
    } catch (err) {
      throw new TokenizerError(`chat template failed to render: ${(err as Error).message}`, { cause: err })
    }
  }
  return {
    source,
    render,
    wrapUser: (text, options = {}) => render([{ role: 'user', content: text }], { ...options, addGenerationPrompt: true })
  }
}

/**
 * A prompt's token ids as the model sees them: wrapped as one user turn of `chat` when given,
 * BOS first when the tokenizer has one (unless the template already wrote it, as Llama 3's
 * does). The policy (sampling, scoring) and the trainer encode prompts only through this.
 */
export function encodePromptIds (tokenizer: Tokenizer, prompt: string, chat?: ChatTemplate): number[] {
  const ids = tokenizer.encode(chat === undefined ? prompt : chat.wrapUser(prompt))
  return tokenizer.bosId === undefined || (chat !== undefined && ids[0] === tokenizer.bosId) ? ids : [tokenizer.bosId, ...ids]
}
