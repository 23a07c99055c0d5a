package org.seemore.tensor;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-component time of forward and backward passes, for {@code seemore bench train --profile}.
 * Code marks components with {@link #scope}; forward time is exclusive (a nested scope's time is
 * its own, not its parent's), and each op's backward is charged to the component that was current
 * when the op ran forward. Off by default; when off, scopes cost one branch. One thread.
 */
public final class Profiler {
    private static boolean enabled;
    private static final ArrayDeque<long[]> starts = new ArrayDeque<>();
    private static final ArrayDeque<String> names = new ArrayDeque<>();
    private static final Map<String, long[]> totals = new LinkedHashMap<>(); // name -> {forward ns, backward ns}
    private static final Scope NOOP = () -> {};

    private Profiler() {}

    public static void enable(boolean on) {
        enabled = on;
        reset();
    }

    public static boolean enabled() {
        return enabled;
    }

    public static void reset() {
        totals.clear();
        starts.clear();
        names.clear();
    }

    /** The component ops created now belong to, or null. */
    static String current() {
        return enabled ? names.peek() : null;
    }

    /** Marks a component until the scope closes. */
    public static Scope scope(String component) {
        if (!enabled) return NOOP;
        names.push(component);
        starts.push(new long[] {System.nanoTime(), 0});
        return () -> {
            long[] s = starts.pop();
            String name = names.pop();
            long elapsed = System.nanoTime() - s[0];
            totals.computeIfAbsent(name, k -> new long[2])[0] += elapsed - s[1];
            if (!starts.isEmpty()) starts.peek()[1] += elapsed;
        };
    }

    /** Adds time measured elsewhere (e.g. the optimizer step) to a component's forward column. */
    public static void add(String component, long forwardNanos, long backwardNanos) {
        long[] t = totals.computeIfAbsent(component, k -> new long[2]);
        t[0] += forwardNanos;
        t[1] += backwardNanos;
    }

    static void addBackward(String component, long nanos) {
        totals.computeIfAbsent(component == null ? "other" : component, k -> new long[2])[1] += nanos;
    }

    /** name -> {forward ns, backward ns}, in first-seen order. */
    public static Map<String, long[]> totals() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        totals.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** A marked region. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
