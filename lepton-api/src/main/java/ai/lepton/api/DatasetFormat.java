package ai.lepton.api;

/** The formats a dataset file may have; an upload declares one and the server checks the content. */
public enum DatasetFormat {
  /** Comma-separated values, UTF-8, with a header row (RFC 4180 quoting). */
  CSV,
  /** JSON lines: one flat JSON object per line, UTF-8. */
  JSONL,
  /** Plain UTF-8 text, one sample per line. */
  TEXT,
  /** A zip archive of class folders of images: {@code cat/1.png, dog/2.jpg}. */
  IMAGE_ZIP,
  /** An IDX file (MNIST style), images or labels, gzip-compressed or not. */
  IDX
}
