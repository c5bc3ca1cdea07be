package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir Path dir;

  private static byte[] idx(int type, int[] shape, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeShort(0);
    out.writeByte(type);
    out.writeByte(shape.length);
    for (int d : shape) {
      out.writeInt(d);
    }
    out.write(data);
    return bytes.toByteArray();
  }

  private Path write(String name, byte[] content, boolean gzip) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p))
        : Files.newOutputStream(p)) {
      out.write(content);
    }
    return p;
  }

  @Test
  void readsGzippedAndPlainFiles() throws IOException {
    byte[] content = idx(0x08, new int[] {2, 2, 2}, new byte[] {0, 1, 2, 3, 4, 5, 6, (byte) 255});
    for (boolean gz : new boolean[] {true, false}) {
      Tensor t = Idx.read(write("images" + gz, content, gz));
      assertArrayEquals(new int[] {2, 2, 2}, t.shape());
      assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 255}, t.toFloatArray());
    }
  }

  @Test
  void truncatedFileIsReportedWithoutAllocatingTheClaimedSize() throws IOException {
    byte[] content = idx(0x08, new int[] {100_000_000, 5}, new byte[] {1, 2, 3});
    LeptonException e = assertThrows(LeptonException.class,
        () -> Idx.read(write("t.gz", content, true)));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void rejectsOtherFilesOversizedShapesAndUnsupportedTypes() throws IOException {
    LeptonException notIdx = assertThrows(LeptonException.class,
        () -> Idx.read(write("x.txt", "hello world".getBytes(), false)));
    assertTrue(notIdx.getMessage().contains("not an IDX file"), notIdx.getMessage());
    LeptonException huge = assertThrows(LeptonException.class,
        () -> Idx.read(write("h", idx(0x08, new int[] {1 << 30, 1 << 30}, new byte[0]), false)));
    assertTrue(huge.getMessage().contains("over the limit"), huge.getMessage());
    LeptonException type = assertThrows(LeptonException.class,
        () -> Idx.read(write("f", idx(0x0D, new int[] {1}, new byte[4]), false)));
    assertTrue(type.getMessage().contains("only unsigned bytes"), type.getMessage());
  }

  @Test
  void checksAHeaderFromAStreamAndLeavesItAtTheFirstValue() throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(
        idx(0x08, new int[] {2, 3}, new byte[] {7, 1, 2, 3, 4, 5})));
    assertArrayEquals(new int[] {2, 3}, Idx.header(in, "upload", 6));
    assertEquals(7, in.read());
    assertEquals("IDX file upload declares shape [2, 3] = 6 values, over the limit of 5; pass a "
        + "higher maxValues to Idx.read(file, maxValues) if the file is genuine, or split the "
        + "file", assertThrows(LeptonException.class, () -> Idx.header(new DataInputStream(
            new ByteArrayInputStream(idx(0x08, new int[] {2, 3}, new byte[0]))), "upload", 5))
        .getMessage());
    assertEquals("IDX file upload holds values of type 0xd; only unsigned bytes (0x08) are "
        + "supported", assertThrows(LeptonException.class, () -> Idx.header(new DataInputStream(
            new ByteArrayInputStream(idx(0x0d, new int[] {1}, new byte[4]))), "upload", 5))
        .getMessage());
    assertThrows(EOFException.class, () -> Idx.header(new DataInputStream(
        new ByteArrayInputStream(new byte[] {0, 0, 8, 2, 0, 0})), "upload", 5));
  }
}
