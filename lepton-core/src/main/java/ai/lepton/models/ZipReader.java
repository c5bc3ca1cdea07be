package ai.lepton.models;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * A zip read through its central directory, from a file (positional reads on a
 * {@link FileChannel}) or from bytes in memory: the one reader of model files, whichever the
 * source. It parses what it needs of the format (end record, Zip64 end record, central directory,
 * local headers, stored and deflated entries) and checks only the structure; the model file's
 * rules (counts, names, sizes against the limits) are {@link ModelFile.Reader}'s.
 *
 * <p>An entry's stream gives at most its declared size: a deflated entry's compressed bytes are
 * bounded by its declared compressed size, and once the declared size is reached its CRC-32 is
 * checked, so damaged data fails rather than loads. Structural errors are {@link ZipException}s
 * saying what is wrong.
 */
final class ZipReader implements AutoCloseable {
  private static final int END = 0x06054b50;
  private static final int END_LENGTH = 22;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_END = 0x06064b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int CENTRAL_LENGTH = 46;
  private static final int LOCAL = 0x04034b50;
  private static final int LOCAL_LENGTH = 30;
  static final int STORED = 0;
  static final int DEFLATED = 8;

  /**
   * One central-directory entry as the zip declares it.
   *
   * @param method {@link #STORED} or {@link #DEFLATED}
   * @param localHeaderOffset where the entry's local header starts
   */
  record Entry(String name, int method, long compressedSize, long size, long crc,
      long localHeaderOffset) {}

  /** Where the zip's bytes are. */
  private interface Source extends AutoCloseable {
    long size();

    /** Fills {@code dst} from {@code position}, or throws EOFException past the end. */
    void read(long position, ByteBuffer dst) throws IOException;

    @Override
    void close() throws IOException;
  }

  private final Source source;
  private final long count;
  private final long directoryOffset;
  private final long directoryBytes;

  private ZipReader(Source source) throws IOException {
    this.source = source;
    long size = source.size();
    int tail = (int) Math.min(size, END_LENGTH + 0xffff);
    ByteBuffer b = read(size - tail, tail);
    int end = -1;
    for (int i = tail - END_LENGTH; i >= 0 && end < 0; i--) {
      if (b.getInt(i) == END && i + END_LENGTH + Short.toUnsignedInt(b.getShort(i + 20)) == tail) {
        end = i;
      }
    }
    if (end < 0) {
      throw new ZipException("no zip end record in its last " + tail + " bytes");
    }
    long entries = Short.toUnsignedLong(b.getShort(end + 10));
    long bytes = Integer.toUnsignedLong(b.getInt(end + 12));
    long offset = Integer.toUnsignedLong(b.getInt(end + 16));
    if (entries == 0xffff || bytes == 0xffffffffL || offset == 0xffffffffL) {
      long endAt = size - tail + end;
      if (endAt < 20 || read(endAt - 20, 4).getInt(0) != ZIP64_LOCATOR) {
        throw new ZipException("the end record points to a Zip64 end record that is missing");
      }
      long zip64 = read(endAt - 20 + 8, 8).getLong(0);
      if (zip64 < 0 || zip64 > endAt - 20 - 56) {
        throw new ZipException("the Zip64 end record's offset " + zip64 + " is outside the file");
      }
      ByteBuffer z = read(zip64, 56);
      if (z.getInt(0) != ZIP64_END) {
        throw new ZipException("no Zip64 end record at offset " + zip64);
      }
      entries = z.getLong(32);
      bytes = z.getLong(40);
      offset = z.getLong(48);
    }
    if (entries < 0 || bytes < 0 || offset < 0 || offset > size || bytes > size - offset) {
      throw new ZipException("its central directory (" + bytes + " bytes at offset " + offset
          + ") is not inside the file of " + size + " bytes");
    }
    this.count = entries;
    this.directoryOffset = offset;
    this.directoryBytes = bytes;
  }

  /** Opens {@code file} for positional reads; the zip's end record is read and checked. */
  static ZipReader open(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = channel.size();
      return new ZipReader(new Source() {
        @Override
        public long size() {
          return size;
        }

        @Override
        public void read(long position, ByteBuffer dst) throws IOException {
          while (dst.hasRemaining()) {
            int n = channel.read(dst, position);
            if (n < 0) {
              throw new EOFException("the file ends at " + position + " bytes, before the data "
                  + "the zip points to");
            }
            position += n;
          }
        }

        @Override
        public void close() throws IOException {
          channel.close();
        }
      });
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Reads a zip held in {@code bytes}, which must not change while it is read. */
  static ZipReader open(byte[] bytes) throws IOException {
    return new ZipReader(new Source() {
      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public void read(long position, ByteBuffer dst) throws IOException {
        if (position < 0 || position > bytes.length - dst.remaining()) {
          throw new EOFException("the bytes end at " + bytes.length + ", before the data the zip "
              + "points to");
        }
        dst.put(bytes, (int) position, dst.remaining());
      }

      @Override
      public void close() {}
    });
  }

  long size() {
    return source.size();
  }

  /** The entry count the end record declares, before the central directory is read. */
  long count() {
    return count;
  }

  /** Reads the central directory: {@link #count()} entries, in the zip's order. */
  List<Entry> entries() throws IOException {
    List<Entry> out = new ArrayList<>();
    long at = directoryOffset;
    long end = directoryOffset + directoryBytes;
    for (long i = 0; i < count; i++) {
      if (at > end - CENTRAL_LENGTH) {
        throw new ZipException("its central directory ends after " + i + " of the " + count
            + " entries it declares");
      }
      ByteBuffer h = read(at, CENTRAL_LENGTH);
      if (h.getInt(0) != CENTRAL) {
        throw new ZipException("entry " + i + " of its central directory has no valid signature");
      }
      if ((h.getShort(8) & 1) != 0) {
        throw new ZipException("entry " + i + " is encrypted");
      }
      int nameLength = Short.toUnsignedInt(h.getShort(28));
      int extraLength = Short.toUnsignedInt(h.getShort(30));
      int commentLength = Short.toUnsignedInt(h.getShort(32));
      long next = at + CENTRAL_LENGTH + nameLength + extraLength + commentLength;
      if (next > end) {
        throw new ZipException("entry " + i + " of its central directory runs past its end");
      }
      ByteBuffer nameBytes = read(at + CENTRAL_LENGTH, nameLength);
      String name;
      try {
        name = StandardCharsets.UTF_8.newDecoder().decode(nameBytes).toString();
      } catch (CharacterCodingException e) {
        throw new ZipException("entry " + i + " has a name that is not valid UTF-8");
      }
      long compressed = Integer.toUnsignedLong(h.getInt(20));
      long size = Integer.toUnsignedLong(h.getInt(24));
      long local = Integer.toUnsignedLong(h.getInt(42));
      // Zip64: the extra field 0x0001 holds, in this order, each of the three that is 0xffffffff
      ByteBuffer extra = read(at + CENTRAL_LENGTH + nameLength, extraLength);
      for (int x = 0; x + 4 <= extraLength; ) {
        int id = Short.toUnsignedInt(extra.getShort(x));
        int length = Short.toUnsignedInt(extra.getShort(x + 2));
        if (x + 4 + length > extraLength) {
          break;
        }
        if (id == 1) {
          int p = x + 4;
          if (size == 0xffffffffL) {
            size = zip64(extra, p, x + 4 + length, name);
            p += 8;
          }
          if (compressed == 0xffffffffL) {
            compressed = zip64(extra, p, x + 4 + length, name);
            p += 8;
          }
          if (local == 0xffffffffL) {
            local = zip64(extra, p, x + 4 + length, name);
          }
        }
        x += 4 + length;
      }
      out.add(new Entry(name, Short.toUnsignedInt(h.getShort(10)), compressed, size,
          Integer.toUnsignedLong(h.getInt(16)), local));
      at = next;
    }
    return out;
  }

  private static long zip64(ByteBuffer extra, int at, int end, String name) throws ZipException {
    long value = at + 8 <= end ? extra.getLong(at) : -1;
    if (value < 0) {
      throw new ZipException("entry " + name + " has an invalid Zip64 size or offset");
    }
    return value;
  }

  /**
   * The entry's bytes, inflated if deflated: at most its declared size, its CRC-32 checked when
   * that size is reached, and an error if the data ends before it.
   */
  InputStream open(Entry entry) throws IOException {
    if (entry.method() != STORED && entry.method() != DEFLATED) {
      throw new ZipException("entry " + entry.name() + " uses compression method "
          + entry.method() + "; only stored (0) and deflated (8) entries are read");
    }
    if (entry.method() == STORED && entry.compressedSize() != entry.size()) {
      throw new ZipException("stored entry " + entry.name() + " declares " + entry.size()
          + " bytes but " + entry.compressedSize() + " compressed bytes");
    }
    long header = entry.localHeaderOffset();
    if (header < 0 || header > directoryOffset - LOCAL_LENGTH) {
      throw new ZipException("entry " + entry.name() + "'s local header offset " + header
          + " is outside the entries' area");
    }
    ByteBuffer h = read(header, LOCAL_LENGTH);
    if (h.getInt(0) != LOCAL) {
      throw new ZipException("entry " + entry.name() + " has no local header at offset "
          + header);
    }
    int nameLength = Short.toUnsignedInt(h.getShort(26));
    // One name for the entry in both headers: tools that read local headers see what we read.
    byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
    if (nameLength != name.length
        || !read(header + LOCAL_LENGTH, nameLength).equals(ByteBuffer.wrap(name))) {
      throw new ZipException("entry " + entry.name() + " has another name in its local header");
    }
    long data = header + LOCAL_LENGTH + nameLength + Short.toUnsignedInt(h.getShort(28));
    if (entry.compressedSize() > directoryOffset - data) {
      throw new ZipException("entry " + entry.name() + "'s " + entry.compressedSize()
          + " bytes at offset " + data + " run past the entries' area");
    }
    InputStream raw = new Slice(data, entry.compressedSize());
    if (entry.method() == DEFLATED) {
      Inflater inflater = new Inflater(true);
      raw = new InflaterInputStream(raw, inflater, 1 << 13) {
        @Override
        public void close() throws IOException {
          inflater.end();
          super.close();
        }
      };
    }
    return new Checked(raw, entry);
  }

  @Override
  public void close() throws IOException {
    source.close();
  }

  private ByteBuffer read(long position, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    source.read(position, b);
    return b.flip();
  }

  /** The source's bytes from {@code start}, {@code length} of them. */
  private final class Slice extends InputStream {
    private long position;
    private final long end;

    Slice(long start, long length) {
      this.position = start;
      this.end = start + length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n = (int) Math.min(len, end - position);
      if (n <= 0) {
        return -1;
      }
      source.read(position, ByteBuffer.wrap(b, off, n));
      position += n;
      return n;
    }
  }

  /**
   * Gives an entry's bytes up to its declared size, and checks at that size that the data ends
   * there (an entry that inflates past what it declares is a zip bomb, stopped by counting) and
   * that its CRC-32 matches (damaged data fails rather than loads).
   */
  private static final class Checked extends InputStream {
    private final InputStream in;
    private final Entry entry;
    private final CRC32 crc = new CRC32();
    private long count;

    Checked(InputStream in, Entry entry) {
      this.in = in;
      this.entry = entry;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      long left = entry.size() - count;
      if (len == 0) {
        return 0;
      }
      if (left == 0) {
        return -1; // checked when the count reached the size
      }
      int n;
      try {
        n = in.read(b, off, (int) Math.min(len, left));
      } catch (EOFException e) { // the inflater wanted more than the declared compressed bytes
        throw new ZipException("entry " + entry.name() + " is truncated: its "
            + entry.compressedSize() + " compressed bytes end before its " + entry.size()
            + " bytes");
      }
      if (n < 0) {
        throw new ZipException("entry " + entry.name() + " holds " + count + " bytes, fewer "
            + "than the " + entry.size() + " its header declares");
      }
      crc.update(b, off, n);
      count += n;
      if (count == entry.size()) {
        if (peek() != -1) {
          throw new ZipException("entry " + entry.name() + " inflates to more than the "
              + entry.size() + " bytes its zip header declares; the file is damaged or hostile");
        }
        if (crc.getValue() != entry.crc()) {
          throw new ZipException("entry " + entry.name() + " fails its CRC-32 check: its data "
              + "is damaged");
        }
      }
      return n;
    }

    /** The next byte past the declared size: -1 if the data ends there, as it must. */
    private int peek() throws IOException {
      try {
        return in.read();
      } catch (EOFException e) { // compressed data that ends without its final block
        throw new ZipException("entry " + entry.name() + " is truncated: its deflated data ends "
            + "without its final block");
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
