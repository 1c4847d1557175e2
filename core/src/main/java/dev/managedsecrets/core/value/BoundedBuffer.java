package dev.managedsecrets.core.value;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * An output stream that holds at most {@link ValueSize#MAX_BYTES} bytes: the write that would pass
 * the bound fails with {@link Overflow} and nothing of it is kept. What it held is cleared when it
 * is taken or dropped.
 */
final class BoundedBuffer extends OutputStream {

  /** The write past the bound. */
  static final class Overflow extends IOException {
    Overflow() {
      super("more than " + ValueSize.MAX_BYTES + " bytes");
    }
  }

  private byte[] bytes = new byte[1024];
  private int size;

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if ((long) size + len > ValueSize.MAX_BYTES) {
      throw new Overflow();
    }
    if (size + len > bytes.length) {
      int capacity = Math.min(ValueSize.MAX_BYTES, Math.max(size + len, bytes.length * 2));
      byte[] grown = Arrays.copyOf(bytes, capacity);
      Arrays.fill(bytes, (byte) 0);
      bytes = grown;
    }
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  /** What was written; the buffer is cleared. */
  byte[] take() {
    byte[] out = Arrays.copyOf(bytes, size);
    clear();
    return out;
  }

  void clear() {
    Arrays.fill(bytes, (byte) 0);
    size = 0;
  }
}
