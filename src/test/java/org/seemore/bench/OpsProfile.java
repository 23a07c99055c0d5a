package org.seemore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.seemore.model.ForwardContext;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.model.VlmConfig;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;
import org.seemore.tensor.kernels.Parallel;

/**
 * A by-hand profile of one training step of the {@code seemore} preset (batch 16, 64 text tokens):
 * wall time of forward+backward and of a no-grad forward on 1 and 2 threads, then a per-op
 * breakdown from JFR execution samples, each sample charged to the innermost op frame
 * ({@code org.seemore.*} outside the GEMM kernels) and split by forward or backward.
 *
 * <p>Run with {@code java --add-modules jdk.incubator.vector -Xmx4g -XX:+UseParallelGC -cp
 * target/classes:target/test-classes:<jackson jars> org.seemore.bench.OpsProfile [steps] [threads...]};
 * the breakdown runs on the last thread count. {@code -Dallocations=true} adds where memory is
 * allocated (and flags Vector API objects, i.e. vectors the JIT failed to keep in registers);
 * {@code -Ddetail=<label>} splits one label by its innermost frames. Not a test: nothing asserts.
 */
public final class OpsProfile {
    private static final int BATCH = 16, TOKENS = 64, VOCAB = 66;

    private OpsProfile() {}

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Integer> threadCounts = new ArrayList<>();
        for (int i = 1; i < args.length; i++) threadCounts.add(Integer.parseInt(args[i]));
        if (threadCounts.isEmpty()) threadCounts = List.of(1, 2);
        VlmConfig config = Presets.get(Presets.SEEMORE, VOCAB);
        Vlm model = new Vlm(config, 1);
        Rng rng = new Rng(7);
        Tensor images = Tensor.of(rng.uniform(BATCH * 3 * 96 * 96, -1f, 1f), BATCH, 3, 96, 96);
        int[] tokens = new int[BATCH * TOKENS], targets = new int[BATCH * TOKENS];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rng.nextInt(VOCAB);
            targets[i] = i % 13 == 0 ? NnOps.IGNORE_INDEX : rng.nextInt(VOCAB);
        }
        for (int threads : threadCounts) {
            Parallel.setThreads(threads);
            for (int i = 0; i < 3; i++) step(model, config, images, tokens, targets, rng); // warm-up
            var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long bytes0 = mx.getTotalThreadAllocatedBytes(), gc0 = gcMillis();
            double train = median(steps, () -> step(model, config, images, tokens, targets, rng));
            double allocated = (mx.getTotalThreadAllocatedBytes() - bytes0) / 1e6 / steps;
            double gc = (gcMillis() - gc0) / (double) steps;
            double infer = median(steps, () -> forwardOnly(model, images, tokens));
            System.out.printf("threads %d: train step (fwd+bwd) %.1f ms (allocates %.0f MB, GC %.0f ms), forward no-grad %.1f ms%n",
                    threads, train, allocated, gc, infer);
        }
        Parallel.setThreads(threadCounts.get(threadCounts.size() - 1));
        breakdown(steps, () -> step(model, config, images, tokens, targets, rng));
    }

    private static void step(Vlm model, VlmConfig config, Tensor images, int[] tokens, int[] targets, Rng rng) {
        Vlm.Output out = model.forward(images, tokens, BATCH, ForwardContext.training(config, rng));
        model.loss(out, targets, BATCH).total().backward();
        for (Tensor p : model.parameters().values()) p.clearGrad();
    }

    private static void forwardOnly(Vlm model, Tensor images, int[] tokens) {
        try (var g = GradMode.noGrad()) {
            model.forward(images, tokens, BATCH, ForwardContext.inference());
        }
    }

    private static long gcMillis() {
        long ms = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) ms += Math.max(0, gc.getCollectionTime());
        return ms;
    }

    private static double median(int runs, Runnable body) {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[runs / 2];
    }

    /** Samples {@code steps} runs of the body every millisecond and prints where the samples fall. */
    private static void breakdown(int steps, Runnable body) throws Exception {
        Path file = Files.createTempFile("ops-profile", ".jfr");
        long gcNanos = 0;
        double wall;
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
            r.enable("jdk.GarbageCollection");
            if (Boolean.getBoolean("allocations")) {
                r.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
                r.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            }
            r.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) body.run();
            wall = (System.nanoTime() - t0) / 1e6 / steps;
            r.stop();
            r.dump(file);
        }
        Map<String, Integer> counts = new HashMap<>();
        Map<String, Long> allocated = new HashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("jdk.GarbageCollection")) {
                gcNanos += e.getDuration().toNanos();
                continue;
            }
            if (e.getEventType().getName().equals("jdk.ObjectAllocationOutsideTLAB") && e.getStackTrace() != null) {
                allocated.merge(label(e.getStackTrace().getFrames()), e.getLong("allocationSize"), Long::sum);
                continue;
            }
            if (e.getEventType().getName().equals("jdk.ObjectAllocationInNewTLAB") && e.getStackTrace() != null) {
                allocated.merge(boxing(e) + label(e.getStackTrace().getFrames()), e.getLong("tlabSize"), Long::sum);
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) continue;
            String lab = label(e.getStackTrace().getFrames());
            String detail = System.getProperty("detail");
            if (detail != null && lab.contains(detail)) {
                var fr = e.getStackTrace().getFrames();
                StringBuilder sb = new StringBuilder(lab).append(" <= ");
                for (int q = 0; q < Math.min(3, fr.size()); q++) {
                    String cls = fr.get(q).getMethod().getType().getName();
                    sb.append(cls.substring(cls.lastIndexOf('.') + 1)).append('.').append(fr.get(q).getMethod().getName()).append(':').append(fr.get(q).getLineNumber()).append(' ');
                }
                lab = sb.toString();
            }
            counts.merge(lab, 1, Integer::sum);
            total++;
        }
        Files.delete(file);
        System.out.printf("%nper-op samples over %d steps (%.1f ms/step wall, GC pauses %.1f ms/step, %d samples on all threads):%n",
                steps, wall, gcNanos / 1e6 / steps, total);
        int all = total;
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(40)
                .forEach(en -> System.out.printf("  %5.1f%%  %6.1f ms/step  %s%n",
                        100.0 * en.getValue() / all, en.getValue() * 1.0 / steps, en.getKey()));
        if (!allocated.isEmpty()) System.out.printf("%nallocations (outside TLABs, and new TLABs charged to the allocation that took them):%n");
        allocated.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(25)
                .forEach(en -> System.out.printf("  %7.1f MB/step  %s%n", en.getValue() / 1e6 / steps, en.getKey()));

    }

    /** Marks allocations of Vector API objects (vectors that the JIT failed to keep in registers) with the allocating method. */
    private static String boxing(RecordedEvent e) {
        String type = e.getClass("objectClass").getName();
        if (!type.startsWith("jdk.incubator.vector")) return "";
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            String cls = f.getMethod().getType().getName();
            if (cls.startsWith("org.seemore")) return "BOXED " + type.substring(type.lastIndexOf('.') + 1) + " in " + cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + ":" + f.getLineNumber() + " / ";
        }
        return "BOXED " + type + " / ";
    }

    /** The innermost org.seemore frame outside the GEMM kernels, marked bwd when under Tensor.backward. */
    private static String label(List<RecordedFrame> frames) {
        String op = null;
        boolean backward = false, gemm = false, worker = false;
        for (RecordedFrame f : frames) {
            String cls = f.getMethod().getType().getName(), method = f.getMethod().getName();
            if (cls.startsWith("org.seemore.tensor.kernels.Gemm")) gemm = true;
            if (op == null && cls.startsWith("org.seemore.") && !cls.startsWith("org.seemore.tensor.kernels.")
                    && !cls.startsWith("org.seemore.bench.")) {
                if (cls.contains("$$Lambda")) {
                    cls = cls.substring(0, cls.indexOf("$$Lambda"));
                    method = "lambda$?$";
                }
                int lambda = method.indexOf("lambda$");
                String m = lambda >= 0 ? method.substring(lambda + 7, method.indexOf('$', lambda + 7)) : method;
                op = cls.substring(cls.lastIndexOf('.') + 1) + "." + m + (gemm ? " [gemm]" : "");
            }
            if (cls.equals("org.seemore.tensor.Tensor") && method.equals("backward")) backward = true;
            if (cls.startsWith("org.seemore.tensor.kernels.Parallel$Worker")) worker = true;
        }
        if (op == null) op = gemm ? "gemm (pool worker)" : frames.isEmpty() ? "?" : "other: " + frames.get(0).getMethod().getType().getName() + "." + frames.get(0).getMethod().getName();
        return (worker ? "pool " : backward ? "bwd " : "fwd ") + op;
    }
}
