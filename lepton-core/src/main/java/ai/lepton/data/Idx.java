package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Memory;
import ai.lepton.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST ({@code train-images-idx3-ubyte.gz}),
 * gzip-compressed or not. Unsigned bytes become floats 0..255; images come back as
 * {@code [n, rows, cols]}, labels as {@code [n]}.
 *
 * <p>The header's shape is checked before anything is allocated: against the value limit, against
 * the bytes the file really holds (its size, or for gzip the expanded size its trailer declares),
 * and against the heap. Only the declared values are inflated, so a gzip bomb expands no further
 * than its header allows.
 */
public final class Idx {
  /** The default limit on the values of one file: a little over ten Fashion-MNIST training sets. */
  public static final long MAX_VALUES = 600_000_000L;

  private Idx() {}

  /**
   * Reads the whole file, allowing at most {@link #MAX_VALUES} values.
   *
   * @throws LeptonException as {@link #read(Path, long)}
   */
  public static Tensor read(Path file) {
    Args.nonNull(file, "Idx.read", "file");
    return read(file, MAX_VALUES);
  }

  /**
   * Reads the whole file, allowing at most {@code maxValues} values.
   *
   * @param maxValues 1 to {@code Integer.MAX_VALUE - 8} (one tensor's limit)
   * @throws LeptonException naming the file if it is not IDX, is truncated (shorter than its header
   *     declares), declares more than {@code maxValues} values or more than the heap budget holds
   *     as floats, or holds a value type other than unsigned bytes
   */
  public static Tensor read(Path file, long maxValues) {
    Args.nonNull(file, "Idx.read", "file");
    if (maxValues < 1 || maxValues > Integer.MAX_VALUE - 8) {
      throw new LeptonException("Idx.read: maxValues must be 1 to " + (Integer.MAX_VALUE - 8)
          + " (one tensor); received " + maxValues);
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16)
          : raw;
      return read(new DataInputStream(in), file, gzip ? gzipExpandedSize(file) : Files.size(file),
          gzip, maxValues);
    } catch (EOFException e) {
      throw new LeptonException("IDX file " + file + " is truncated: it ends before the data its "
          + "header declares; download or copy it again");
    } catch (IOException e) {
      throw new LeptonException("cannot read IDX file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads and checks an IDX header from {@code in} (at the start of the file, after any gzip):
   * the magic number, a value type of unsigned bytes, one to four dimensions, none negative, and
   * at most {@code maxValues} values in all (the product is exact, never overflowed). The stream
   * is left at the first value. For readers that stream the values themselves; {@link #read}
   * checks a header so.
   *
   * @param name the file's name in messages
   * @return the declared shape
   * @throws LeptonException naming {@code name} for a header that fails a check
   * @throws java.io.EOFException if {@code in} ends inside the header
   */
  public static int[] header(DataInputStream in, String name, long maxValues) throws IOException {
    Args.nonNull(in, "Idx.header", "in");
    Args.nonNull(name, "Idx.header", "name");
    int zero = in.readUnsignedShort();
    int type = in.readUnsignedByte();
    int rank = in.readUnsignedByte();
    if (zero != 0 || rank == 0 || rank > 4) {
      throw new LeptonException("file " + name + " is not an IDX file (bad magic number); expected "
          + "MNIST-style files such as train-images-idx3-ubyte.gz");
    }
    if (type != 0x08) {
      throw new LeptonException("IDX file " + name + " holds values of type 0x"
          + Integer.toHexString(type) + "; only unsigned bytes (0x08) are supported");
    }
    int[] shape = new int[rank];
    BigInteger declared = BigInteger.ONE; // up to (2^31 - 1)^4: exact, never overflowed
    for (int i = 0; i < rank; i++) {
      shape[i] = in.readInt();
      declared = declared.multiply(BigInteger.valueOf(shape[i]));
    }
    String what = "IDX file " + name + " declares shape " + Arrays.toString(shape);
    if (Arrays.stream(shape).anyMatch(d -> d < 0)) {
      throw new LeptonException(what + ", with a negative dimension; the file is corrupt: download "
          + "or copy it again");
    }
    if (declared.compareTo(BigInteger.valueOf(maxValues)) > 0) {
      throw new LeptonException(what + " = " + declared + " values, over the limit of " + maxValues
          + "; pass a higher maxValues to Idx.read(file, maxValues) if the file is genuine, or "
          + "split the file");
    }
    return shape;
  }

  /**
   * Deflate expands at most 1032-fold (258 bytes from a 2-bit code); a larger expansion is a lie.
   */
  private static final long MAX_DEFLATE_RATIO = 1032;

  /**
   * The expanded size a gzip file's trailer declares (its last four bytes, little-endian), exact
   * for a single-member file under 4 GiB, as IDX files are, but never more than the compressed
   * bytes can expand to: the trailer is the file's own word, and a forged one must not buy an
   * allocation. The data is still read with a bound.
   */
  private static long gzipExpandedSize(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      if (channel.size() < 18) { // a 10-byte header and an 8-byte trailer
        throw new EOFException();
      }
      ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      channel.read(trailer, channel.size() - 4);
      return Math.min(trailer.getInt(0) & 0xffffffffL, channel.size() * MAX_DEFLATE_RATIO);
    }
  }

  /**
   * @param available the bytes the file holds after decompression, as declared by the file system
   *     or the gzip trailer
   */
  private static Tensor read(DataInputStream in, Path file, long available, boolean gzip,
      long maxValues) throws IOException {
    int[] shape = header(in, file.toString(), maxValues);
    int rank = shape.length;
    String what = "IDX file " + file + " declares shape " + Arrays.toString(shape);
    long count = 1;
    for (int d : shape) {
      count *= d; // exact: header bounded the product
    }
    long needed = 4 + 4L * rank + count;
    if (needed > available) {
      throw new LeptonException(what + " = " + count + " values, " + needed + " bytes with its "
          + "header, but " + (gzip ? "its gzip data expands to at most " + available + " bytes"
          : "the file has " + available + " bytes") + ": it is truncated or corrupt; download or "
          + "copy it again");
    }
    Memory.check(4 * count, what + " = " + count + " values, which as floats",
        "read a smaller file");
    float[] values = new float[(int) count];
    byte[] chunk = new byte[1 << 16];
    for (int filled = 0; filled < count; ) {
      int want = (int) Math.min(chunk.length, count - filled);
      in.readFully(chunk, 0, want); // reads no further than the declared values
      for (int i = 0; i < want; i++) {
        values[filled + i] = chunk[i] & 0xff;
      }
      filled += want;
    }
    return Tensor.of(values, shape);
  }
}
