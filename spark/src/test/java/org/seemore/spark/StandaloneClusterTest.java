package org.seemore.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.DataSource;
import org.seemore.data.Example;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;
import org.seemore.train.TrainSettings;
import org.seemore.train.Trainer;

/**
 * A real Spark standalone cluster on 127.0.0.1, shared by the tests: a master and two workers as separate
 * JVMs (Spark's own main classes), each worker launching its executor JVM. Distributed captioning and
 * evaluation run on it, then synchronous training during which one executor JVM is killed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    @TempDir static Path dir;
    static final List<Process> processes = new ArrayList<>();
    static SparkSession spark;
    static List<Example> examples;
    static CharTokenizer tokenizer;

    @BeforeAll
    static void startCluster() throws Exception {
        String classpath = classpath(dir);
        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        processes.add(launch(dir, "master", classpath, "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort())));
        awaitPort(port, dir.resolve("master.log"));
        for (int w = 1; w <= 2; w++) {
            Path work = Files.createDirectories(dir.resolve("work-" + w));
            processes.add(launch(dir, "worker-" + w, classpath, "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", Integer.toString(freePort()),
                    "--work-dir", work.toString(), master));
        }
        SparkConf conf = new SparkConf().setAppName("seemore-cluster-test").setMaster(master)
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.executor.memory", "768m").set("spark.cores.max", "2")
                .set("spark.executor.extraClassPath", directories(classpath))
                .set("spark.ui.enabled", "false");
        spark = SparkSession.builder().config(conf).getOrCreate();
        examples = DataSource.load("synthetic:shapes", new DataSource.Options(Optional.empty(), null, false, Presets.get("tiny", 4).imageSize(), 3, 40, 1)).examples();
        tokenizer = CharTokenizer.forExamples(examples);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (spark != null) spark.stop();
        for (Process p : processes.reversed()) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        // the Spark home's links into the Maven repository, removed here so that @TempDir's clean-up has none to warn about
        try (Stream<Path> links = Files.list(dir.resolve("spark-home").resolve("jars"))) {
            for (Path link : links.toList()) Files.delete(link);
        }
    }

    @Test
    @Order(1)
    void captionsAndEvaluatesOnTwoExecutors() {
        // a model directory: a tiny model, untrained (what it says does not matter, only that it runs)
        Vlm model = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), 3);
        Path modelDir = dir.resolve("model");
        ModelDirectory.save(modelDir, model, tokenizer, 0);

        Dataset<Row> inputs = CaptionInputs.read(spark, "synthetic:shapes:test", "image", model.config().imageSize()).limit(12);
        Path out = dir.resolve("captions");
        DistributedCaptioner.caption(inputs.repartition(2), modelDir.toString(), 4, 8).write().parquet(out.toString());
        Dataset<Row> captions = spark.read().parquet(out.toString());
        assertThat(captions.count()).isEqualTo(12);
        assertThat(captions.select("id").distinct().count()).isEqualTo(12);
        for (Row r : captions.collectAsList()) {
            assertThat(r.getInt(r.fieldIndex("tokens"))).isBetween(0, 8).isEqualTo(r.getString(r.fieldIndex("caption")).length());
            assertThat(r.getDouble(r.fieldIndex("millis"))).isPositive();
        }
        DistributedCaptioner.Scores scores = DistributedCaptioner.score(captions);
        assertThat(scores.records()).isEqualTo(12);
        assertThat(scores.charErrorRate()).isPositive(); // an untrained model does not caption correctly
        assertThat(spark.sparkContext().statusTracker().getExecutorInfos()).hasSize(3); // the driver and two executors
    }

    @Test
    @Order(2)
    void trainingContinuesWhenAnExecutorJvmIsKilled() throws Exception {
        int steps = 4;
        TrainSettings settings = SyncTrainingParityTest.settings(3).toBuilder().steps(steps).batchSize(2).checkpointEvery(0).build();
        Vlm expected = SyncTrainingParityTest.singleProcess(examples, tokenizer, settings);

        // after step 1, the first task to start is killed with its executor's JVM (SIGKILL) while it computes
        AtomicBoolean armed = new AtomicBoolean();
        AtomicReference<ProcessHandle> killed = new AtomicReference<>();
        SparkListener killer = new SparkListener() {
            @Override
            public void onTaskStart(SparkListenerTaskStart start) {
                if (!armed.compareAndSet(true, false)) return;
                String executor = start.taskInfo().executorId();
                Thread.ofVirtual().start(() -> {
                    ProcessHandle jvm = executorJvm(executor);
                    killed.set(jvm);
                    jvm.destroyForcibly();
                });
            }
        };
        spark.sparkContext().addSparkListener(killer);
        List<String> notices = new CopyOnWriteArrayList<>();
        Vlm model = new Vlm(Presets.get("tiny", tokenizer.vocabSize()), settings.seed());
        var job = DataParallelTrainer.job(model, tokenizer, settings, "synthetic:shapes", null, 40, 2, false);
        Path run = dir.resolve("run");
        long t0 = System.nanoTime();
        var summary = DataParallelTrainer.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), run, model, tokenizer, settings,
                new DataParallelTrainer.Settings(2, 1, 0.7, 0.9), job, false, new Trainer.Listener() {
                    @Override
                    public void onStep(Trainer.StepMetrics m) {
                        if (m.step() == 1) armed.set(true);
                    }

                    @Override
                    public void onNotice(String message) {
                        System.out.println("notice: " + message);
                        notices.add(message);
                    }
                });
        spark.sparkContext().removeSparkListener(killer);
        summary.rounds().forEach(r -> System.out.printf("cluster round to step %d: %.3f s, compute %.3f s, %d bytes%n", r.step(), r.seconds(), r.computeSeconds(), r.bytes()));
        System.out.printf("training through a lost executor: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        assertThat(killed.get()).as("an executor JVM was killed").isNotNull();
        assertThat(killed.get().onExit().get(20, TimeUnit.SECONDS).isAlive()).isFalse();
        assertThat(summary.steps()).isEqualTo(steps);
        assertThat(summary.rounds()).hasSize(steps); // no round was repeated or skipped
        assertThat(ModelDirectory.load(run).step()).isEqualTo(steps);
        double maxDiff = SyncTrainingParityTest.maxDifference(model, expected);
        System.out.println("after a lost executor, max parameter difference from single-process training: " + maxDiff);
        assertThat(maxDiff).as("max parameter difference").isLessThan(1e-5);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // the listener bus is asynchronous
        while (notices.stream().noneMatch(n -> n.contains("failed on executor")) && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("round at step 1: worker ").contains("failed on executor", "Spark retries it"));
    }

    /** The JVM of executor {@code id}: a child of one of the worker JVMs, started with {@code --executor-id id}. */
    private static ProcessHandle executorJvm(String id) {
        for (Process worker : processes) {
            for (ProcessHandle child : worker.toHandle().descendants().toList()) {
                List<String> args = List.of(child.info().arguments().orElse(new String[0]));
                int at = args.indexOf("--executor-id");
                if (at >= 0 && at + 1 < args.size() && args.get(at + 1).equals(id)) return child;
            }
        }
        throw new AssertionError("no executor JVM with --executor-id " + id + " under the workers");
    }

    /** The module's runtime classpath (written by Maven), with its own classes; a Spark home whose jars/ links the jars. */
    private static String classpath(Path dir) throws IOException {
        Path written = Path.of("target", "classpath.txt");
        assertThat(written).as("Maven writes the classpath before the tests").exists();
        String cp = Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator + Files.readString(written).strip();
        Path jars = Files.createDirectories(dir.resolve("spark-home").resolve("jars"));
        for (String entry : cp.split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar")) Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
        }
        return cp;
    }

    private static String directories(String classpath) {
        List<String> dirs = new ArrayList<>();
        for (String entry : classpath.split(java.io.File.pathSeparator)) if (!entry.endsWith(".jar")) dirs.add(entry);
        return String.join(java.io.File.pathSeparator, dirs);
    }

    private static Process launch(Path dir, String name, String classpath, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(System.getProperty("seemore.spark.jvmOptions", "").split("\\s+")));
        command.addAll(List.of("-Xmx512m", "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", dir.resolve("spark-home").toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    /** Waits (up to a minute) for the master to listen; fails with its log otherwise. */
    private static void awaitPort(int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the master did not listen on port " + port + "; its log:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
