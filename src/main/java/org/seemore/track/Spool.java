package org.seemore.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.seemore.io.AtomicFiles;

/**
 * {@code mlflow-spool.jsonl} in the run directory: every group of metrics the run records (a step's,
 * an evaluation's), one JSON line each, {@code {"step":N,"timestamp":MS,"metrics":{KEY:VALUE,...}}},
 * appended before anything is sent. The sender reads it from the position the store has acknowledged,
 * so metrics wait here, on disk and out of memory, while the server is unreachable. A line is written
 * whole in one call; the reader takes complete lines only.
 */
final class Spool {
    static final String FILE = "mlflow-spool.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int READ_CHUNK = 1 << 16;

    /** A place in the spool: the byte offset of a line and how many of its metrics come before it. */
    record Position(long offset, int within) {
        static final Position START = new Position(0, 0);
    }

    /** Metrics read from the spool, and the position after them. */
    record Chunk(List<Metric> metrics, Position next) {}

    private final Path file;

    Spool(Path runDir) {
        this.file = runDir.resolve(FILE);
    }

    Path file() {
        return file;
    }

    /** Appends one group of metrics, all at {@code step} and {@code timestamp}. */
    synchronized void append(long step, long timestamp, Map<String, Double> metrics) throws IOException {
        ObjectNode line = JSON.createObjectNode().put("step", step).put("timestamp", timestamp);
        ObjectNode values = line.putObject("metrics");
        metrics.forEach(values::put);
        Files.write(file, (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Up to {@code max} metrics from {@code from}, in the order they were appended. */
    Chunk read(Position from, int max) throws IOException {
        List<Metric> out = new ArrayList<>();
        if (!Files.exists(file)) return new Chunk(out, from);
        Position at = from;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long offset = from.offset();
            while (out.size() < max) {
                String line = lineAt(in, offset);
                if (line == null) break;
                List<Metric> metrics = parse(line);
                int skip = offset == from.offset() ? from.within() : 0;
                int take = Math.min(max - out.size(), metrics.size() - skip);
                out.addAll(metrics.subList(skip, skip + take));
                long next = offset + line.getBytes(StandardCharsets.UTF_8).length + 1;
                if (skip + take < metrics.size()) {
                    at = new Position(offset, skip + take);
                    break;
                }
                at = new Position(next, 0);
                offset = next;
            }
        }
        return new Chunk(out, at);
    }

    /** How many metrics lie after {@code from}. */
    long countAfter(Position from) throws IOException {
        long n = 0;
        Position at = from;
        while (true) {
            Chunk c = read(at, 100_000);
            if (c.metrics().isEmpty()) return n;
            n += c.metrics().size();
            at = c.next();
        }
    }

    /**
     * For a resumed run: keeps the lines after {@code acknowledged} that {@code keep} accepts and
     * drops the rest (the acknowledged ones, and those the resumed run records again), together with
     * a partial last line from a kill. Rewrites the spool atomically; its start is then the position.
     */
    void compact(Position acknowledged, Predicate<Long> keep) throws IOException {
        if (!Files.exists(file)) return;
        List<String> kept = new ArrayList<>();
        Chunk rest = read(acknowledged, Integer.MAX_VALUE);
        long step = Long.MIN_VALUE;
        List<Metric> group = new ArrayList<>();
        for (Iterator<Metric> it = rest.metrics().iterator(); it.hasNext(); ) {
            Metric m = it.next();
            if (!group.isEmpty() && (m.step() != step || m.timestamp() != group.get(0).timestamp())) {
                if (keep.test(step)) kept.add(line(group));
                group.clear();
            }
            step = m.step();
            group.add(m);
        }
        if (!group.isEmpty() && keep.test(step)) kept.add(line(group));
        AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
    }

    private static String line(List<Metric> group) throws IOException {
        ObjectNode line = JSON.createObjectNode().put("step", group.get(0).step()).put("timestamp", group.get(0).timestamp());
        ObjectNode values = line.putObject("metrics");
        for (Metric m : group) values.put(m.key(), m.value());
        return JSON.writeValueAsString(line);
    }

    /** The complete line starting at {@code offset}, without its newline; null at the end or before a partial line. */
    private static String lineAt(RandomAccessFile in, long offset) throws IOException {
        if (offset >= in.length()) return null;
        in.seek(offset);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[READ_CHUNK];
        while (true) {
            int n = in.read(buffer);
            if (n < 0) return null; // no newline yet: a line still being written, or cut short by a kill
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    bytes.write(buffer, 0, i);
                    return bytes.toString(StandardCharsets.UTF_8);
                }
            }
            bytes.write(buffer, 0, n);
        }
    }

    private List<Metric> parse(String line) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new IOException(file + ": a line that is not JSON: " + e.getMessage(), e);
        }
        long step = node.path("step").asLong();
        long timestamp = node.path("timestamp").asLong();
        List<Metric> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : node.path("metrics").properties()) {
            out.add(new Metric(e.getKey(), e.getValue().asDouble(), timestamp, step));
        }
        return out;
    }
}
