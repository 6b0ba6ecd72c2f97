/**
 * @packageDocumentation
 * ONNX graph builder with shape checks, reverse-mode autodiff, in-graph optimizers and an onnxruntime runner.
 */
export {}
