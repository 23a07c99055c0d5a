package org.seemore.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.seemore.UserException;
import org.seemore.cli.ErrorHandling;
import org.seemore.data.DataSource;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.train.Stage;
import org.seemore.train.TrainSettings;
import org.seemore.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code seemore spark caption|eval|train}: the Spark module's command line (also spark-submit's main class). */
@Command(name = "seemore spark", mixinStandardHelpOptions = true, subcommands = {SparkMain.Caption.class, SparkMain.Eval.class, SparkMain.Train.class},
        description = "Captioning, evaluation and data-parallel training on a Spark cluster.")
public final class SparkMain implements Callable<Integer> {
    @Spec CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command; a user error (bad flag, missing file, bad master URL) prints one line and returns 2. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new SparkMain()).setOut(out).setErr(err);
        ErrorHandling.install(cli);
        CommandLine.IExecutionExceptionHandler standard = cli.getExecutionExceptionHandler();
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            // an executor's user error reaches the driver wrapped in Spark's exceptions
            Throwable cause = e;
            while (cause != null && !(cause instanceof UserException)) cause = cause.getCause();
            return standard.handleExecutionException(cause != null ? (UserException) cause : e, line, parsed);
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorHandling.USER_ERROR;
    }

    /** Options every Spark command takes. */
    static final class ClusterOptions {
        @Option(names = "--master", paramLabel = "URL", description = "local[N] or spark://HOST:PORT (default: spark-submit's, else local[*]).")
        String master;
    }

    @Command(name = "caption", mixinStandardHelpOptions = true, description = "Captions a data set; writes Parquet (id, caption, tokens, millis, reference).")
    static final class Caption implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--model", required = true, paramLabel = "DIR") Path model;
        @Option(names = "--data", required = true, paramLabel = "PATH", description = "JSONL/CSV manifest, image folder, Parquet, or synthetic:shapes:SPLIT.") String data;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Parquet output directory (must not exist).") Path out;
        @Option(names = "--image-column", defaultValue = "image", paramLabel = "NAME", description = "Parquet's binary image column (default: ${DEFAULT-VALUE}).") String imageColumn;
        @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N", description = "Records per generator call (default: ${DEFAULT-VALUE}).") int batchSize;
        @Option(names = "--max-tokens", defaultValue = "96", paramLabel = "N", description = "Most tokens generated per caption (default: ${DEFAULT-VALUE}).") int maxTokens;
        @Option(names = "--partitions", defaultValue = "0", paramLabel = "N", description = "Input partitions (default: Spark's default parallelism).") int partitions;
        @CommandLine.Mixin ClusterOptions cluster = new ClusterOptions();

        @Override
        public Integer call() {
            if (Files.exists(out)) throw new UserException("--out " + out + " already exists; give a new directory (nothing is overwritten)");
            if (batchSize < 1) throw new UserException("--batch-size must be at least 1, got " + batchSize);
            int imageSize = ModelDirectory.load(model).model().config().imageSize(); // checks the model before the cluster starts
            CaptionInputs.requireExists(data);
            SparkSession spark = SparkSessions.open("seemore caption", cluster.master);
            try {
                Dataset<Row> inputs = CaptionInputs.read(spark, data, imageColumn, imageSize);
                int n = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
                long t0 = System.nanoTime();
                DistributedCaptioner.caption(inputs.repartition(n), model.toAbsolutePath().toString(), batchSize, maxTokens)
                        .write().mode(SaveMode.ErrorIfExists).parquet(out.toString());
                double seconds = (System.nanoTime() - t0) / 1e9;
                Dataset<Row> written = spark.read().parquet(out.toString());
                long count = written.count();
                spec.commandLine().getOut().printf("%d captions in %.1f s (%.1f per second) on %d partitions -> %s%n", count, seconds, count / seconds, n, out);
                return 0;
            } finally {
                spark.stop();
            }
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, description = "Captions a data set with references and reports exact match and CER over all of it.")
    static final class Eval implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--model", required = true, paramLabel = "DIR") Path model;
        @Option(names = "--data", required = true, paramLabel = "PATH") String data;
        @Option(names = "--out", paramLabel = "DIR", description = "Also write the captions as Parquet here.") Path out;
        @Option(names = "--image-column", defaultValue = "image", paramLabel = "NAME") String imageColumn;
        @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N") int batchSize;
        @Option(names = "--max-tokens", defaultValue = "96", paramLabel = "N") int maxTokens;
        @CommandLine.Mixin ClusterOptions cluster = new ClusterOptions();

        @Override
        public Integer call() {
            if (out != null && Files.exists(out)) throw new UserException("--out " + out + " already exists; give a new directory (nothing is overwritten)");
            int imageSize = ModelDirectory.load(model).model().config().imageSize();
            CaptionInputs.requireExists(data);
            SparkSession spark = SparkSessions.open("seemore eval", cluster.master);
            try {
                Dataset<Row> inputs = CaptionInputs.read(spark, data, imageColumn, imageSize);
                Dataset<Row> captions = DistributedCaptioner.caption(inputs.repartition(spark.sparkContext().defaultParallelism()),
                        model.toAbsolutePath().toString(), batchSize, maxTokens).cache();
                if (out != null) captions.write().parquet(out.toString());
                DistributedCaptioner.Scores s = DistributedCaptioner.score(captions);
                if (s.records() == 0) throw new UserException(data + ": no record has a reference caption to compare with");
                spec.commandLine().getOut().printf("exact match %.1f%%, character error rate %.2f%% over %d records%n", 100 * s.exactMatch(), 100 * s.charErrorRate(), s.records());
                return 0;
            } finally {
                spark.stop();
            }
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Data-parallel training: synchronous (--sync-every 1) or DiLoCo local steps.")
    static final class Train implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--data", required = true, paramLabel = "PATH", description = "Training data, readable by every executor at this path (or synthetic:shapes).") String data;
        @Option(names = "--out", required = true, paramLabel = "DIR") Path out;
        @Option(names = "--preset", defaultValue = "small", paramLabel = "NAME") String preset;
        @Option(names = "--workers", defaultValue = "2", paramLabel = "N", description = "Data-parallel workers, one task each per round (default: ${DEFAULT-VALUE}).") int workers;
        // the default from the measured round cost (docs/spark.md): a round's scheduling and transfer cost about 3x the
        // seemore preset's step at 1 and 2 workers, so 10 local steps keep ~78% of the time computing; 1 is exact
        @Option(names = "--sync-every", defaultValue = "10", paramLabel = "K", description = "1: sum gradients every step (equals --grad-accum W); K > 1: DiLoCo, K local steps per round (default: ${DEFAULT-VALUE}).") int syncEvery;
        @Option(names = "--outer-lr", defaultValue = "0.7", paramLabel = "X") double outerLr;
        @Option(names = "--outer-momentum", defaultValue = "0.9", paramLabel = "X") double outerMomentum;
        @Option(names = "--steps", defaultValue = "200", paramLabel = "N") int steps;
        @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N", description = "Per worker (default: ${DEFAULT-VALUE}).") int batchSize;
        @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "X") double lr;
        @Option(names = "--warmup", defaultValue = "20", paramLabel = "N") int warmup;
        @Option(names = "--checkpoint-every", defaultValue = "100", paramLabel = "N") int checkpointEvery;
        @Option(names = "--synthetic-count", defaultValue = "2000", paramLabel = "N") int syntheticCount;
        @Option(names = "--format", paramLabel = "NAME") String format;
        @Option(names = "--seed", defaultValue = "1", paramLabel = "N") long seed;
        @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.") boolean resume;
        @CommandLine.Mixin ClusterOptions cluster = new ClusterOptions();

        @Override
        public Integer call() throws IOException {
            if (!resume && Files.exists(out)) throw new UserException("--out " + out + " already exists; give a new directory or --resume");
            if (resume && !Files.isDirectory(out)) throw new UserException("--resume: no run directory " + out);
            DataParallelTrainer.Settings parallel = new DataParallelTrainer.Settings(workers, syncEvery, outerLr, outerMomentum);
            TrainSettings settings;
            int imageSize;
            try { // the core's checks name the flag; --workers is the accumulation here, and checked above
                settings = TrainSettings.builder().steps(steps).batchSize(batchSize).gradAccumulation(workers).lr(lr)
                        .warmupSteps(warmup).checkpointEvery(checkpointEvery).seed(seed).stage(Stage.FULL).build();
                imageSize = Presets.get(preset, 4).imageSize();
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage());
            }
            var loaded = DataSource.load(data, new DataSource.Options(Optional.ofNullable(format), null, false, imageSize, seed, syntheticCount, 1));
            CharTokenizer tokenizer = resume ? CharTokenizer.load(out.resolve(ModelDirectory.TOKENIZER)) : CharTokenizer.forExamples(loaded.examples());
            Vlm model = new Vlm(Presets.get(preset, tokenizer.vocabSize()), seed);
            SparkSession spark = SparkSessions.open("seemore train", cluster.master);
            try {
                var job = DataParallelTrainer.job(model, tokenizer, settings, data, format, syntheticCount, workers, true);
                var summary = DataParallelTrainer.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), out, model, tokenizer,
                        settings, parallel, job, resume, new Trainer.Listener() {
                            @Override
                            public void onStep(Trainer.StepMetrics m) {
                                spec.commandLine().getErr().printf("step %d loss %.4f%n", m.step(), m.loss());
                            }
                        });
                // the first round includes each executor's start-up (model, data, JIT); the median is a steady round
                double[] wall = summary.rounds().stream().mapToDouble(DataParallelTrainer.RoundStats::seconds).sorted().toArray();
                double[] compute = summary.rounds().stream().mapToDouble(DataParallelTrainer.RoundStats::computeSeconds).sorted().toArray();
                spec.commandLine().getOut().printf("%d steps on %d workers (sync every %d), final loss %.4f; %d rounds: first %.2f s, median %.2f s (compute %.2f s), %.2f MB moved per round -> %s%n",
                        summary.steps(), workers, syncEvery, summary.finalLoss(), wall.length, summary.rounds().getFirst().seconds(),
                        wall[wall.length / 2], compute[compute.length / 2], summary.rounds().getFirst().bytes() / 1e6, out);
                return 0;
            } finally {
                spark.stop();
            }
        }
    }
}
