package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.data.Augment;
import ai.lepton.data.Dataset;
import ai.lepton.data.ImageFiles;
import ai.lepton.data.ImageFolder;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Flatten;
import ai.lepton.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model.fit and evaluate on a Dataset. */
class DatasetFitTest {
  @TempDir Path dir;

  /**
   * 24 noisy 6 x 6 PNGs in two classes: "dark" images are bright on the left half, "light" ones on
   * the right half.
   */
  private Path halves() throws IOException {
    SplittableRandom rng = new SplittableRandom(4);
    for (String cls : new String[] {"dark", "light"}) {
      Files.createDirectories(dir.resolve("halves").resolve(cls));
      for (int i = 0; i < 12; i++) {
        BufferedImage img = new BufferedImage(6, 6, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 6; y++) {
          for (int x = 0; x < 6; x++) {
            boolean lit = cls.equals("dark") == (x < 3);
            img.getRaster().setSample(x, y, 0, (lit ? 180 : 40) + rng.nextInt(40));
          }
        }
        ImageIO.write(img, "png", dir.resolve("halves/" + cls + "/" + i + ".png").toFile());
      }
    }
    return dir.resolve("halves");
  }

  private static Sequential classifier() {
    Sequential model = new Sequential().add(new Flatten()).add(new Dense(2, "softmax"));
    model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    return model;
  }

  private static Dataset scaled(Dataset d) {
    return d.map(b -> new Dataset.Batch(b.x().div(255f), b.y()));
  }

  @Test
  void learnsToTellImageClassesApartFromAFolderDecodedPerBatch() throws IOException {
    ImageFiles files = ImageFolder.reader().size(6, 6)
        .colorMode(ImageFolder.ColorMode.GRAYSCALE).list(halves());
    Dataset train = scaled(Dataset.of(files).batch(8).shuffle(true).seed(1));
    Sequential model = classifier();
    History h = model.fit(train, Fit.epochs(30).seed(2).verbose(0)
        .validationData(scaled(Dataset.of(files))));
    assertEquals(30, h.epochs());
    assertEquals(1.0, model.evaluate(scaled(Dataset.of(files).batch(5))).get("accuracy"));
    assertTrue(h.history().get("val_loss").get(29) < h.history().get("val_loss").get(0));
  }

  @Test
  void trainsOnAugmentedImagesAndStopsThePrefetchThreadWhenStoppedEarly() throws IOException {
    Set<Thread> producers = ConcurrentHashMap.newKeySet();
    Dataset train = scaled(Dataset.of(ImageFolder.reader().size(6, 6).list(halves())))
        .batch(2).prefetch(1).augment(Augment.create().flipHorizontal())
        .map(b -> {
          producers.add(Thread.currentThread());
          return b;
        });
    Callback stopAtThirdBatch = new Callback() {
      private Model model;

      @Override
      public void setModel(Model m) {
        model = m;
      }

      @Override
      public void onEvent(TrainingEvent e) {
        if (e.kind() == TrainingEvent.Kind.BATCH_END && e.step() == 3) {
          model.stopTraining();
        }
      }
    };
    Sequential model = classifier();
    History h = model.fit(train, Fit.epochs(5).verbose(0).callbacks(stopAtThirdBatch));
    assertEquals(1, h.epochs());
    assertArrayEquals(new int[] {6, 6, 3}, model.inputShape());
    assertFalse(producers.isEmpty());
    for (Thread t : producers) {
      assertFalse(t.isAlive(), t.getName());
    }
  }

  @Test
  void aFailingDatasetStopsFitWithItsError() {
    Dataset broken = Dataset.of(8, indices -> {
      if (indices[0] >= 4) {
        throw new LeptonException("image 4 cannot be decoded");
      }
      return new Dataset.Batch(Tensor.zeros(indices.length, 3), Tensor.zeros(indices.length));
    }).batch(4);
    Sequential model = classifier();
    LeptonException e = assertThrows(LeptonException.class,
        () -> model.fit(broken, Fit.epochs(1).verbose(0)));
    assertEquals("dataset: preparing batch 1 failed: image 4 cannot be decoded", e.getMessage());
  }

  @Test
  void refusesAValidationSplitAndBatchesOfTheWrongShape() {
    Dataset d = Dataset.of(Tensor.zeros(4, 3), Tensor.zeros(4));
    Sequential model = classifier();
    assertEquals("fit: validationSplit needs tensors x and y, but received a Dataset; pass "
        + "validation data with Fit.validationData(dataset) instead", assertThrows(
            LeptonException.class, () -> model.fit(d, Fit.epochs(1).validationSplit(0.5)))
        .getMessage());
    model.fit(d, Fit.epochs(1).verbose(0));
    assertEquals("evaluate: the model takes [batch, 3] but received [4, 2]; pass samples of "
        + "shape [3] with the batch first", assertThrows(LeptonException.class,
            () -> model.evaluate(Dataset.of(Tensor.zeros(4, 2), Tensor.zeros(4)))).getMessage());
  }
}
