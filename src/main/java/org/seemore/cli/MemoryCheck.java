package org.seemore.cli;

import java.util.Locale;

/** Compares what a command will need with the heap the JVM may use, before anything large is allocated. */
final class MemoryCheck {
    private MemoryCheck() {}

    /** "3.9 GB", "512 MB". */
    static String gigabytes(long bytes) {
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%d MB", Math.max(1, Math.round(bytes / (double) (1 << 20))));
        return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
    }

    /** How to give the JVM at least {@code bytes}: the launcher passes SEEMORE_JAVA_OPTS to java. */
    static String howToRaise(long bytes) {
        long gb = Math.max(1, (bytes + (1L << 30) - 1) >> 30);
        return "give it more with SEEMORE_JAVA_OPTS=-Xmx" + gb + "g (./seemore passes it to java)";
    }
}
