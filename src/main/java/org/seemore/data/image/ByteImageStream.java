package org.seemore.data.image;

import javax.imageio.stream.ImageInputStreamImpl;
import java.io.IOException;

/**
 * An ImageIO stream over encoded bytes that notices when a decoder asks for more bytes than the
 * file holds. The JDK's PNG, GIF and BMP readers can return a partly filled image from a truncated
 * file without an error; this flag turns that into one, as Pillow's "image file is truncated" does.
 */
final class ByteImageStream extends ImageInputStreamImpl {
    private final byte[] bytes;
    private boolean readPastEnd;

    ByteImageStream(byte[] bytes) {
        this.bytes = bytes;
    }

    /** True once a read wanted bytes beyond the end of the data. */
    boolean readPastEnd() {
        return readPastEnd;
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        if (streamPos >= bytes.length) {
            readPastEnd = true;
            return -1;
        }
        return bytes[(int) streamPos++] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        checkClosed();
        bitOffset = 0;
        if (length == 0) return 0;
        long available = Math.max(0, bytes.length - streamPos);
        if (length > available) readPastEnd = true;
        if (available == 0) return -1;
        int count = (int) Math.min(length, available);
        System.arraycopy(bytes, (int) streamPos, buffer, offset, count);
        streamPos += count;
        return count;
    }

    @Override
    public long length() {
        return bytes.length;
    }
}
