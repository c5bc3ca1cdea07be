package ai.lepton.tensor;

/** Element-wise ops of one input. {@code p1}/{@code p2} are unused unless stated. */
enum UnaryOp {
  NEG, EXP, LOG, SQRT, ABS, RELU,
  /** {@code x > 0 ? x : p1 * x}. */
  LEAKY_RELU,
  /** {@code x > 0 ? x : p1 * (exp(x) - 1)}. */
  ELU,
  /** Exact GELU, {@code x * Phi(x)} with the normal CDF (PyTorch's and Keras' default). */
  GELU,
  SIGMOID, TANH,
  /** {@code x ^ p1}; with p1 = 1/2 or -1/2 through the square root, as PyTorch. */
  POW,
  /** {@code min(max(x, p1), p2)}. */
  CLAMP,
  /** {@code log(1 + exp(x))}, stable for large |x|. */
  SOFTPLUS
}
