package ai.lepton.tensor;

/** Reductions along one axis. */
enum ReduceOp {
  SUM, MAX, MIN, ARGMAX
}
