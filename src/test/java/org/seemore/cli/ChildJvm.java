package org.seemore.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command line run in a fresh JVM, for what one process cannot show about itself: a small heap,
 * a locale fixed at start-up. Output is read as raw bytes in ISO-8859-1, so nothing is lost to decoding.
 */
record ChildJvm(int exitCode, String out, String err) {

    /** Runs {@code java jvmOptions... org.seemore.cli.Main args...} with {@code env} added to this process's environment. */
    static ChildJvm run(Map<String, String> env, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return exec(env, command);
    }

    /** Runs any command (e.g. bash) the same way. */
    static ChildJvm exec(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[][] streams = new byte[2][];
        Thread readOut = Thread.ofPlatform().start(() -> streams[0] = readAll(p.getInputStream()));
        Thread readErr = Thread.ofPlatform().start(() -> streams[1] = readAll(p.getErrorStream()));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        readOut.join();
        readErr.join();
        return new ChildJvm(p.exitValue(), new String(streams[0], StandardCharsets.ISO_8859_1), new String(streams[1], StandardCharsets.ISO_8859_1));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** stderr without the JVM's line announcing the incubating Vector API. */
    String errLines() {
        return err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).reduce("", (a, b) -> a + b + "\n");
    }
}
