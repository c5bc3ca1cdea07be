package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST ({@code train-images-idx3-ubyte.gz}),
 * gzip-compressed or not. Unsigned bytes become floats 0..255; images come back as
 * {@code [n, rows, cols]}, labels as {@code [n]}.
 */
public final class Idx {
  /** The most values one file may hold (a little over ten Fashion-MNIST training sets). */
  public static final long MAX_VALUES = 600_000_000L;

  private Idx() {}

  /**
   * Reads the whole file.
   *
   * @throws LeptonException naming the file if it is not IDX, truncated, too large, or of a value
   *     type other than unsigned bytes
   */
  public static Tensor read(Path file) {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16)
          : raw;
      return read(new DataInputStream(in), file);
    } catch (EOFException e) {
      throw new LeptonException("IDX file " + file + " is truncated: it ends before the data its "
          + "header announces; download or copy it again");
    } catch (IOException e) {
      throw new LeptonException("cannot read IDX file " + file + ": " + e.getMessage(), e);
    }
  }

  private static Tensor read(DataInputStream in, Path file) throws IOException {
    int zero = in.readUnsignedShort();
    int type = in.readUnsignedByte();
    int rank = in.readUnsignedByte();
    if (zero != 0 || rank == 0 || rank > 4) {
      throw new LeptonException("file " + file + " is not an IDX file (bad magic number); expected "
          + "MNIST-style files such as train-images-idx3-ubyte.gz");
    }
    if (type != 0x08) {
      throw new LeptonException("IDX file " + file + " holds values of type 0x"
          + Integer.toHexString(type) + "; only unsigned bytes (0x08) are supported");
    }
    int[] shape = new int[rank];
    long count = 1;
    for (int i = 0; i < rank; i++) {
      shape[i] = in.readInt();
      count *= Math.max(shape[i], 0);
      if (shape[i] < 0 || count > MAX_VALUES) {
        throw new LeptonException("IDX file " + file + " declares shape " + Arrays.toString(shape)
            + ", over the limit of " + MAX_VALUES + " values");
      }
    }
    // Read in chunks so that a header announcing more than the file holds fails at EOF after
    // allocating only what was really read.
    float[] values = new float[0];
    byte[] chunk = new byte[1 << 16];
    int filled = 0;
    while (filled < count) {
      int want = (int) Math.min(chunk.length, count - filled);
      in.readFully(chunk, 0, want);
      if (filled + want > values.length) {
        values = Arrays.copyOf(values, (int) Math.min(count, Math.max(filled + want,
            2L * values.length)));
      }
      for (int i = 0; i < want; i++) {
        values[filled + i] = chunk[i] & 0xff;
      }
      filled += want;
    }
    return Tensor.of(values, shape);
  }
}
