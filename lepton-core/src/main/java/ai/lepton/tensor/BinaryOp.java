package ai.lepton.tensor;

/** Element-wise ops of two inputs. Comparisons give 1 for true and 0 for false. */
enum BinaryOp {
  ADD, SUB, MUL, DIV, MAX, MIN, GT, GE, EQ
}
