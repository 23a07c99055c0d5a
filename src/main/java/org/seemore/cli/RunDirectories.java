package org.seemore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.seemore.UserException;
import org.seemore.model.ModelDirectory;
import org.seemore.train.MetricsLog;
import org.seemore.train.RunRecord;
import org.seemore.train.TrainingState;
import org.seemore.track.MlflowTracker;

/**
 * The rule that protects earlier work: a run directory is only reused with --resume or --force,
 * and --force deletes only files that seemore writes into a run directory. A directory that holds
 * anything else (a user's file, a subdirectory, the training data) is refused whole.
 */
final class RunDirectories {
    /** What seemore writes into a run directory, besides {@code training-state-<step>.safetensors}. */
    private static final Set<String> OWN_FILES = Stream.concat(Stream.of(ModelDirectory.CONFIG, ModelDirectory.TOKENIZER, ModelDirectory.WEIGHTS,
            MetricsLog.FILE, RunRecord.FILE, "loss.png", "experts.png", "contact-sheet.png"), MlflowTracker.RUN_DIRECTORY_FILES.stream())
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    private RunDirectories() {}

    /**
     * Checks {@code dir} for {@code train} before anything is loaded. With {@code resume} it must hold
     * a checkpoint, and the temporary files of an interrupted write are removed; otherwise it must be
     * new or empty, or, with {@code force}, a run directory (emptied later by {@link #start}).
     */
    static void prepare(Path dir, boolean resume, boolean force) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new UserException("--out " + dir + ": exists and is not a directory");
        if (resume) {
            if (!ModelDirectory.isModelDirectory(dir)) {
                boolean started = Files.isDirectory(dir) && !entries(dir).isEmpty() && foreign(dir).isEmpty();
                throw new UserException("--resume: " + dir + " holds no checkpoint to resume from" + (started ? " (use --force to start it over)" : ""));
            }
            removeTemporaryFiles(dir);
            return;
        }
        if (!Files.isDirectory(dir) || entries(dir).isEmpty()) return;
        List<Path> foreign = foreign(dir);
        if (!foreign.isEmpty()) {
            String what = describe(foreign);
            throw new UserException(force
                    ? "--out " + dir + ": holds " + what + ", which seemore did not write; --force replaces only a run directory, so nothing was deleted"
                    : "--out " + dir + ": already exists and holds " + what + ", which is not part of a seemore run; choose a new or empty"
                      + " directory (--resume and --force apply only to a run directory)");
        }
        if (!force) throw new UserException("--out " + dir + ": already holds a run; use --resume to continue it or --force to replace it");
    }

    /** With --force, an input (data, config, a run to start from) may not lie in the directory that --force empties. */
    static void refuseInside(Path dir, String flag, Path input) {
        if (!Files.isDirectory(dir) || !Files.exists(input)) return;
        try {
            if (input.toRealPath().startsWith(dir.toRealPath())) {
                throw new UserException(flag + " " + input + ": lies in --out " + dir + ", which --force would empty; nothing was deleted");
            }
        } catch (IOException e) {
            throw new UserException(input + ": cannot resolve: " + e.getMessage());
        }
    }

    /** Right before training writes: creates {@code dir}; with {@code force}, first deletes seemore's files in it. */
    static void start(Path dir, boolean force) {
        try {
            if (force && Files.isDirectory(dir)) {
                prepare(dir, false, true); // again: nothing foreign may have appeared while the data loaded
                for (Path p : entries(dir)) Files.deleteIfExists(p);
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException("--out " + dir + ": " + e.getMessage());
        }
    }

    /** For {@code demo}, which always starts a new run: {@code dir} must be new or empty. */
    static void prepareNew(Path dir) {
        if (Files.exists(dir) && !(Files.isDirectory(dir) && entries(dir).isEmpty())) {
            throw new UserException("--out " + dir + ": already exists and is not empty; the demo writes a new run: give a new or empty"
                    + " directory, or leave out --out to use the next free runs/demo-N");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException("--out " + dir + ": " + e.getMessage());
        }
    }

    /** Whether seemore writes a file of this name into a run directory (its temporary files included). */
    static boolean isOwnFile(String name) {
        return isOwnTarget(name) || isTemporaryFile(name);
    }

    /**
     * The temporary files of seemore's atomic writes: {@code NAME.tmp} and {@code .NAME.<hex or digits>.tmp}
     * beside the file NAME they replace. A kill between writing and renaming one leaves it behind.
     */
    static boolean isTemporaryFile(String name) {
        if (!name.endsWith(".tmp")) return false;
        String target = name.substring(0, name.length() - ".tmp".length());
        if (isOwnTarget(target)) return true;
        if (!target.startsWith(".")) return false;
        int dot = target.lastIndexOf('.');
        return dot > 0 && target.substring(dot + 1).matches("[0-9a-f]+") && isOwnTarget(target.substring(1, dot));
    }

    private static boolean isOwnTarget(String name) {
        return OWN_FILES.contains(name) || TrainingState.isStateFile(name);
    }

    private static void removeTemporaryFiles(Path dir) {
        try {
            for (Path p : entries(dir)) {
                if (isTemporaryFile(p.getFileName().toString()) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UserException(dir + ": cannot remove the temporary files of an interrupted run: " + e.getMessage());
        }
    }

    /** Entries seemore did not write, in name order: other files and every subdirectory. */
    private static List<Path> foreign(Path dir) {
        return entries(dir).stream()
                .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || !isOwnFile(p.getFileName().toString())).toList();
    }

    private static String describe(List<Path> foreign) {
        Path first = foreign.get(0);
        String name = first.getFileName() + (Files.isDirectory(first, LinkOption.NOFOLLOW_LINKS) ? "/" : "");
        return foreign.size() == 1 ? name : name + " (and " + (foreign.size() - 1) + " more)";
    }

    private static List<Path> entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot read: " + e.getMessage());
        }
    }
}
