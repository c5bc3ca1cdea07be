package ai.lepton.server.jobs;

import ai.lepton.api.DatasetFormat;
import java.io.IOException;
import java.io.InputStream;

/**
 * The content of a dataset version that a training reads, as datasets store it: one file of a
 * {@link DatasetFormat}, opened as a stream (a blob, decrypted as it is read), so no plaintext
 * reaches the disk. An IDX images file takes its labels from a second IDX file.
 *
 * @param format the version's format
 * @param fileName the file's name, for messages
 * @param labelColumn the label column the version's profile names, or null
 * @param content opens the file's content; the caller closes what it returns
 * @param labels IDX images only: opens the IDX labels file of the same samples; null otherwise
 * @param labelsName the labels file's name, for messages; null without {@code labels}
 */
public record TrainingData(DatasetFormat format, String fileName, String labelColumn,
    Content content, Content labels, String labelsName) {

  /** Opens a new stream of a file's bytes on each call. */
  @FunctionalInterface
  public interface Content {
    /** A new stream from the file's first byte. */
    InputStream open() throws IOException;
  }

  public TrainingData {
    if (format == null || fileName == null || content == null) {
      throw new IllegalArgumentException("TrainingData needs a format, a file name and content; "
          + "received " + format + ", " + fileName + ", " + content);
    }
    if ((labels == null) != (labelsName == null)
        || (labels != null && format != DatasetFormat.IDX)) {
      throw new IllegalArgumentException("TrainingData takes a labels file (with its name) only "
          + "for IDX images; received one for " + format + " " + fileName);
    }
  }

  /** A dataset version of one file: CSV, JSON lines, text or an image zip. */
  public static TrainingData of(DatasetFormat format, String fileName, String labelColumn,
      Content content) {
    return new TrainingData(format, fileName, labelColumn, content, null, null);
  }

  /** IDX images with their labels, MNIST style, each file gzip-compressed or not. */
  public static TrainingData idx(String imagesName, Content images, String labelsName,
      Content labels) {
    return new TrainingData(DatasetFormat.IDX, imagesName, null, images, labels, labelsName);
  }
}
