/**
 * @packageDocumentation
 * The gpt policy family: weights, tokenizers, ONNX export, batched generation, training and a reward model.
 */
export {}
