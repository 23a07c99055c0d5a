package org.seemore.data.text.sentencepiece;

import java.nio.charset.StandardCharsets;

/**
 * Just enough of the protobuf wire format to read a SentencePiece {@code ModelProto}: varints, 32- and
 * 64-bit fixed values and length-delimited fields. A malformed message is an {@link IllegalArgumentException}
 * that says where it went wrong; the caller names the file.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] bytes;
    private int position;
    private final int end;
    private int wireType;

    ProtoReader(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.position = start;
        this.end = end;
    }

    boolean hasMore() {
        return position < end;
    }

    /** Reads the next field's key and returns its field number; {@link #wireType()} tells how its value is stored. */
    int nextField() {
        long key = varint();
        wireType = (int) (key & 7);
        return (int) (key >>> 3);
    }

    int wireType() {
        return wireType;
    }

    long varint() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= end) throw new IllegalArgumentException("truncated varint at byte " + position);
            byte b = bytes[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) return value;
        }
        throw new IllegalArgumentException("varint longer than 10 bytes at byte " + position);
    }

    float fixed32Float() {
        require(4);
        int bits = (bytes[position] & 0xFF) | (bytes[position + 1] & 0xFF) << 8 | (bytes[position + 2] & 0xFF) << 16 | (bytes[position + 3] & 0xFF) << 24;
        position += 4;
        return Float.intBitsToFloat(bits);
    }

    /** A length-delimited value as a reader over its bytes. */
    ProtoReader message() {
        int length = length();
        ProtoReader inner = new ProtoReader(bytes, position, position + length);
        position += length;
        return inner;
    }

    String string() {
        int length = length();
        String text = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return text;
    }

    /** Skips the value of a field this reader does not need. */
    void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> { require(8); position += 8; }
            case LENGTH_DELIMITED -> {
                // Not "position += length()": that would add to the position from before the length's own bytes.
                int length = length();
                position += length;
            }
            case FIXED32 -> { require(4); position += 4; }
            default -> throw new IllegalArgumentException("unknown wire type " + wireType + " at byte " + position);
        }
    }

    private int length() {
        long length = varint();
        if (length < 0 || length > end - position) throw new IllegalArgumentException("field length " + length + " runs past the end at byte " + position);
        return (int) length;
    }

    private void require(int count) {
        if (end - position < count) throw new IllegalArgumentException("truncated field at byte " + position);
    }
}
