package ai.lepton.tensor;

import ai.lepton.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every differentiable op's gradient against central finite differences. */
class GradientTest {
  private final SplittableRandom rng = new SplittableRandom(42);

  private Tensor rand(int... shape) {
    return Tensor.uniform(rng, -1f, 1f, shape);
  }

  private Tensor positive(int... shape) {
    return Tensor.uniform(rng, 0.5f, 2f, shape);
  }

  @Test
  void elementwiseUnaryOps() {
    GradCheck.check("neg", in -> in[0].neg(), rand(3, 4));
    GradCheck.check("exp", in -> in[0].exp(), rand(3, 4));
    GradCheck.check("log", in -> in[0].log(), positive(3, 4));
    GradCheck.check("sqrt", in -> in[0].sqrt(), positive(3, 4));
    GradCheck.check("pow", in -> in[0].pow(3f), positive(3, 4));
    GradCheck.check("pow of negative bases", in -> in[0].pow(2f), rand(3, 4));
    GradCheck.check("pow, odd, of negative bases", in -> in[0].pow(3f), rand(3, 4));
    GradCheck.check("pow 1/2", in -> in[0].pow(0.5f), positive(3, 4));
    GradCheck.check("pow 5/2", in -> in[0].pow(2.5f), positive(3, 4));
    GradCheck.check("pow -3/2", in -> in[0].pow(-1.5f), positive(3, 4));
    GradCheck.check("abs", in -> in[0].abs(), positive(3, 4));
    GradCheck.check("relu", in -> in[0].relu(), positive(3, 4));
    GradCheck.check("leakyRelu", in -> in[0].leakyRelu(0.2f), positive(3, 4).neg());
    GradCheck.check("elu", in -> in[0].elu(1f), rand(3, 4));
    GradCheck.check("gelu", in -> in[0].gelu(), rand(3, 4));
    GradCheck.check("sigmoid", in -> in[0].sigmoid(), rand(3, 4));
    GradCheck.check("tanh", in -> in[0].tanh(), rand(3, 4));
    GradCheck.check("softplus", in -> in[0].softplus(), rand(3, 4));
    GradCheck.check("clamp", in -> in[0].clamp(-0.5f, 0.5f),
        Tensor.of(new float[] {-0.9f, -0.2f, 0.1f, 0.3f, 0.8f, 0.95f}, 6));
  }

  @Test
  void broadcastingBinaryOps() {
    GradCheck.check("add", in -> in[0].add(in[1]), rand(2, 3), rand(3));
    GradCheck.check("sub", in -> in[0].sub(in[1]), rand(2, 1), rand(1, 3));
    GradCheck.check("mul", in -> in[0].mul(in[1]), rand(2, 3, 4), rand(3, 1));
    GradCheck.check("div", in -> in[0].div(in[1]), rand(2, 3), positive(2, 3));
    GradCheck.check("maximum", in -> in[0].maximum(in[1]), rand(4, 3), rand(4, 3));
    GradCheck.check("minimum", in -> in[0].minimum(in[1]), rand(4, 3), rand(3));
    GradCheck.check("where", in -> Tensor.where(Tensor.of(new float[] {1, 0, 1}, 3), in[0], in[1]),
        rand(2, 3), rand(2, 3));
  }

  @Test
  void conv2dInputAndKernel() {
    GradCheck.check("conv2d valid", in -> in[0].conv2d(in[1], 1, 1, false, 1, 1),
        rand(2, 5, 4, 3), rand(3, 2, 3, 2));
    GradCheck.check("conv2d stride 2 same (asymmetric)", in -> in[0].conv2d(in[1], 2, 2, true, 1, 1),
        rand(1, 6, 7, 2), rand(3, 3, 2, 3));
    GradCheck.check("conv2d dilation 2 same", in -> in[0].conv2d(in[1], 1, 1, true, 2, 2),
        rand(2, 5, 5, 1), rand(2, 3, 1, 2));
    GradCheck.check("conv2d odd strides and dilation", in -> in[0].conv2d(in[1], 2, 3, false, 2, 1),
        rand(1, 7, 9, 2), rand(2, 2, 2, 3));
  }

  @Test
  void depthwiseConv2dInputAndKernel() {
    GradCheck.check("depthwiseConv2d valid", in -> in[0].depthwiseConv2d(in[1], 1, 1, false, 1, 1),
        rand(2, 4, 5, 3), rand(2, 3, 3, 1));
    GradCheck.check("depthwiseConv2d multiplier 2, stride 2 same",
        in -> in[0].depthwiseConv2d(in[1], 2, 2, true, 1, 1), rand(1, 5, 6, 2), rand(3, 3, 2, 2));
    GradCheck.check("depthwiseConv2d dilation 2 same",
        in -> in[0].depthwiseConv2d(in[1], 1, 1, true, 2, 2), rand(1, 5, 5, 2), rand(2, 2, 2, 3));
  }

  @Test
  void matmulInAllForms() {
    GradCheck.check("matmul", in -> in[0].matmul(in[1]), rand(3, 4), rand(4, 5));
    GradCheck.check("matmul tA", in -> in[0].matmul(in[1], true, false), rand(4, 3), rand(4, 5));
    GradCheck.check("matmul tB", in -> in[0].matmul(in[1], false, true), rand(3, 4), rand(5, 4));
    GradCheck.check("matmul tA tB", in -> in[0].matmul(in[1], true, true), rand(4, 3), rand(5, 4));
    GradCheck.check("batched", in -> in[0].matmul(in[1]), rand(2, 3, 4), rand(2, 4, 5));
    GradCheck.check("batched shared", in -> in[0].matmul(in[1]), rand(2, 3, 4), rand(4, 5));
    GradCheck.check("batched shared tB", in -> in[0].matmul(in[1], false, true),
        rand(2, 3, 4), rand(5, 4));
    GradCheck.check("batched tA", in -> in[0].matmul(in[1], true, false),
        rand(2, 4, 3), rand(2, 4, 5));
  }

  @Test
  void maxPool2dRoutesTheGradientToEachWindowsMaximum() {
    // distinct, well-separated values so that no finite-difference step changes a window's winner
    float[] v = new float[2 * 5 * 5 * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = ((i * 37) % v.length) * 0.1f;
    }
    GradCheck.check("maxPool2d valid", in -> in[0].maxPool2d(2, 2, 2, 2, false),
        Tensor.of(v, 2, 5, 5, 2));
    GradCheck.check("maxPool2d same stride 1", in -> in[0].maxPool2d(3, 2, 1, 2, true),
        Tensor.of(v, 2, 5, 5, 2));
  }

  @Test
  void avgPool2dSpreadsTheGradientOverEachWindow() {
    GradCheck.check("avgPool2d valid", in -> in[0].avgPool2d(2, 2, 2, 2, false), rand(2, 5, 4, 3));
    GradCheck.check("avgPool2d same", in -> in[0].avgPool2d(3, 3, 2, 1, true), rand(1, 5, 4, 2));
  }

  @Test
  void softmaxAndReductions() {
    GradCheck.check("softmax", in -> in[0].softmax(-1), rand(3, 5));
    GradCheck.check("softmax axis 0", in -> in[0].softmax(0), rand(3, 5));
    GradCheck.check("logSoftmax", in -> in[0].logSoftmax(-1), rand(3, 5));
    GradCheck.check("sum", in -> in[0].sum(), rand(3, 5));
    GradCheck.check("sum axis", in -> in[0].sum(1, false), rand(2, 3, 4));
    GradCheck.check("mean axis", in -> in[0].mean(0, true), rand(2, 3, 4));
    GradCheck.check("max axis", in -> in[0].max(1, false), rand(2, 5, 3));
  }

  @Test
  void shapeOps() {
    GradCheck.check("reshape", in -> in[0].reshape(4, -1).mul(in[0].reshape(4, 3)), rand(2, 6));
    GradCheck.check("permute", in -> in[0].permute(2, 0, 1), rand(2, 3, 4));
    GradCheck.check("transpose", in -> in[0].transpose(), rand(3, 4));
    GradCheck.check("slice", in -> in[0].slice(1, 1, 3), rand(2, 4, 3));
    GradCheck.check("gather", in -> in[0].gather(0, new int[] {2, 0, 2}), rand(3, 4));
    GradCheck.check("concat", in -> Tensor.concat(1, in[0], in[1]), rand(2, 3), rand(2, 2));
    GradCheck.check("stack", in -> Tensor.stack(1, in[0], in[1]), rand(2, 3), rand(2, 3));
  }

  @Test
  void composedExpressionReusingAnInput() {
    GradCheck.check("composed", in -> in[0].matmul(in[1]).tanh().mul(in[0].sum(1, true)).exp(),
        rand(3, 4), rand(4, 2));
  }
}
