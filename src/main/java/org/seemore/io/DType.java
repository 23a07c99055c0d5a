package org.seemore.io;

import java.util.Optional;

/** The element types a safetensors file may hold that seemore reads, with their size in bytes. */
public enum DType {
    F32(4), F16(2), BF16(2), I64(8), I32(4),
    /** Unsigned bytes: 8-bit images (Hugging Face's image fixtures store decoded pixels this way). */
    U8(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** A floating-point type, which weights may be stored as. */
    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The type named by a header's {@code "dtype"} string, or empty when seemore does not read it. */
    public static Optional<DType> fromHeaderName(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) return Optional.of(type);
        }
        return Optional.empty();
    }
}
