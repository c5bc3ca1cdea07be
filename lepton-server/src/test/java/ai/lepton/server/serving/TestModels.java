package ai.lepton.server.serving;

import ai.lepton.layers.Dense;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.GlobalAveragePooling1D;
import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import ai.lepton.models.Sequential;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.preprocessing.StandardScaler;
import ai.lepton.preprocessing.TextPreprocessing;
import ai.lepton.preprocessing.Tokenizer;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;

/** Small real Core models, saved to files and opened as the server opens them. */
final class TestModels {
  private TestModels() {}

  /** 4 features -> 8 relu -> 3 softmax, the output layer named "probabilities". */
  static ModelArchive mlp(Path dir) {
    return mlp(dir, 7);
  }

  /** The same architecture with weights drawn from {@code seed}. */
  static ModelArchive mlp(Path dir, long seed) {
    Sequential model = new Sequential().add(new Dense(8, "relu")).add(new Dense(3, "softmax"));
    model.build(seed, 4);
    return save(model, dir.resolve("mlp-" + seed + ".lepton"));
  }

  /** The MLP of {@link #mlp(Path)} with its three classes named cat, dog and bird. */
  static ModelArchive named(Path dir) {
    Sequential model = new Sequential().add(new Dense(8, "relu")).add(new Dense(3, "softmax"));
    model.build(7, 4);
    model.classNames(List.of("cat", "dog", "bird"));
    return save(model, dir.resolve("named.lepton"));
  }

  /** Texts -> 5 word indices -> embedding -> average -> 2 scores. */
  static ModelArchive text(Path dir) {
    Tokenizer tokenizer = new Tokenizer();
    tokenizer.fitOnTexts(List.of("the cat sat on the mat", "a dog barked at the cat"));
    Sequential model = new Sequential().add(new Embedding(20, 4))
        .add(new GlobalAveragePooling1D()).add(new Dense(2));
    model.build(3, 5);
    model.preprocessing(new TextPreprocessing(tokenizer, 5));
    return save(model, dir.resolve("text.lepton"));
  }

  /** Rows of 3 columns (a, b, c), standardized -> 2 outputs. */
  static ModelArchive tabular(Path dir) {
    StandardScaler scaler = StandardScaler.fit(Tensor.of(new float[] {1, 10, 100, 3, 30, 300,
        5, 50, 500}, 3, 3));
    Sequential model = new Sequential().add(new Dense(2));
    model.build(5, 3);
    model.preprocessing(new FeaturePreprocessing(List.of("a", "b", "c"), null, scaler));
    return save(model, dir.resolve("tabular.lepton"));
  }

  private static ModelArchive save(Model model, Path file) {
    model.save(file);
    return ModelArchive.open(file);
  }
}
