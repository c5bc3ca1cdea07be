package ai.lepton.server.jobs;

import ai.lepton.api.TrainingSpec.Hyperparameters;
import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.LSTM;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.layers.Reshape;
import ai.lepton.models.Sequential;

/**
 * The built-in architectures, sized from the data: the input comes from the preprocessing, the
 * output from the task (one softmax unit per class, or one linear unit for regression), the
 * hidden width and dropout from the hyperparameters. Which data each one takes is checked by
 * {@link Training} before one is made; docs/training.md shows them.
 */
final class Templates {
  /** Width of the text template's word vectors. */
  static final int EMBEDDING_DIM = 64;
  /** The smallest image side the cnn template takes: two 3x3 convolutions and 2x2 poolings. */
  static final int MIN_CNN_SIDE = 10;

  private Templates() {}

  /**
   * The template's layers, unbuilt.
   *
   * @param outputs the classes (softmax), or 0 for one linear regression unit
   * @param image {@code [height, width, channels]} for the cnn template (its input is the image's
   *     pixels as a row), else null
   * @param vocabulary the word indices the text template's embedding takes, else 0
   */
  static Sequential build(String template, Hyperparameters hp, int outputs, int[] image,
      int vocabulary) {
    Sequential model = new Sequential().name(template);
    switch (template) {
      case "mlp" -> {
        model.add(new Dense(hp.units(), "relu"));
        if (hp.dropout() > 0) {
          model.add(new Dropout(hp.dropout().floatValue()));
        }
      }
      case "linear-regression" -> { } // the output unit alone
      case "cnn" -> {
        // (h*w*c) -> (h, w, c) -> conv 32 -> pool -> conv 64 -> pool -> flatten, as Keras' MNIST
        model.add(new Reshape(image));
        model.add(new Conv2D(32, 3, 3, "relu"));
        model.add(new MaxPooling2D(2, 2));
        model.add(new Conv2D(64, 3, 3, "relu"));
        model.add(new MaxPooling2D(2, 2));
        model.add(new Flatten());
        if (hp.dropout() > 0) {
          model.add(new Dropout(hp.dropout().floatValue()));
        }
      }
      case "text-lstm" -> {
        model.add(new Embedding(vocabulary, EMBEDDING_DIM));
        model.add(new LSTM(hp.units()));
      }
      default -> throw new IllegalArgumentException("unknown template " + template);
    }
    model.add(outputs > 0 ? new Dense(outputs, "softmax") : new Dense(1));
    return model;
  }
}
