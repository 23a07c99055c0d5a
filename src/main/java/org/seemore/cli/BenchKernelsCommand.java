package org.seemore.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.seemore.UserException;
import org.seemore.bench.KernelBenchmark;
import org.seemore.tensor.kernels.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seemore bench kernels}: the kernels {@code bench gemm} does not time (elementwise,
 * LayerNorm, softmax, dropout, fused attention), one at a time, on one thread and on all of them,
 * with the bytes each allocates per element (more than none means a vector left on the heap).
 */
@Command(name = "kernels", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the elementwise (GELU, SiLU, ...), normalization (LayerNorm, RMSNorm), rotary, softmax, dropout and",
                "attention kernels (grouped-query and decode too) one at a time,",
                "on 1 thread and on all threads: nanoseconds and bytes allocated per element of input."})
public final class BenchKernelsCommand implements Runnable {

    @Option(names = "--elements", paramLabel = "N", description = "Values per call of the elementwise, normalization and softmax kernels (default: ${DEFAULT-VALUE}).",
            defaultValue = "1048576")
    int elements;

    @Option(names = "--batch", paramLabel = "N", description = "Images per attention call, at the seemore preset's shapes (default: ${DEFAULT-VALUE}).",
            defaultValue = "16")
    int batch;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Untimed calls of each kernel first for this long, while the JIT compiles (default: ${DEFAULT-VALUE}).",
            defaultValue = "0.5")
    double warmup;

    @Option(names = "--repeats", paramLabel = "N", description = "Timed rounds of about 0.05 s; the median counts (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int repeats;

    @Option(names = "--threads", paramLabel = "N", description = "Thread count for the multi-threaded runs (default: all available processors).")
    Integer threads;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results to FILE as a JSON list.")
    Path json;

    /** One measurement, as written to the JSON report. */
    @JsonPropertyOrder({"kernel", "elements", "threads", "ms_per_call", "ns_per_element", "bytes_per_element"})
    public record Row(String kernel, long elements, int threads, @JsonProperty("ms_per_call") double msPerCall,
                      @JsonProperty("ns_per_element") double nsPerElement, @JsonProperty("bytes_per_element") double bytesPerElement) {}

    @Override
    public void run() {
        int many = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (many < 1) throw new UserException("--threads must be at least 1, got " + many);
        if (elements < 1) throw new UserException("--elements must be at least 1, got " + elements);
        if (batch < 1) throw new UserException("--batch must be at least 1, got " + batch);
        if (!(warmup >= 0)) throw new UserException("--warmup must be 0 or more seconds, got " + warmup);
        if (repeats < 1) throw new UserException("--repeats must be at least 1, got " + repeats);
        if (json != null) JsonReport.checkWritable(json);
        int before = Parallel.threads();
        List<Row> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-52s %8s %10s %9s %9s%n", "kernel", "threads", "ms/call", "ns/elem", "B/elem");
        try {
            for (int t : many == 1 ? new int[] {1} : new int[] {1, many}) {
                Parallel.setThreads(t);
                for (KernelBenchmark.Result r : KernelBenchmark.run(new KernelBenchmark.Settings(elements, batch, warmup, repeats), t)) {
                    rows.add(new Row(r.kernel(), r.elements(), r.threads(), r.msPerCall(), r.nsPerElement(), r.bytesPerElement()));
                    System.out.printf(Locale.ROOT, "%-52s %8d %10.3f %9.3f %9.2f%n", r.kernel(), t, r.msPerCall(), r.nsPerElement(), r.bytesPerElement());
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
        if (json != null) {
            JsonReport.write(json, rows);
            System.out.println("wrote " + json);
        }
    }
}
