package org.seemore.parity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The differences measured by a parity run, one line per output, and the worst gradient. */
public final class ParityReport {

    /**
     * One comparison. {@code maxDiff} is the largest absolute difference (or mismatching entries, for
     * exact checks); {@code detail}, when not empty, says how many cases differ and where the first one is.
     */
    public record Check(String name, double maxDiff, double tolerance, boolean exact, boolean passed, String detail) {
        public Check(String name, double maxDiff, double tolerance, boolean exact, boolean passed) {
            this(name, maxDiff, tolerance, exact, passed, "");
        }

        public String line() {
            if (exact) return String.format(Locale.ROOT, "%-44s %s", name, passed ? "exact match" : detail.isEmpty() ? ((long) maxDiff) + " entries differ" : detail);
            String line = String.format(Locale.ROOT, "%-44s max |diff| %.3e  (tol %.0e)  %s", name, maxDiff, tolerance, passed ? "ok" : "FAIL");
            return detail.isEmpty() ? line : line + "; " + detail;
        }
    }

    private final Path file;
    private final String mode;
    private final List<Check> checks = new ArrayList<>();
    private final List<Check> gradients = new ArrayList<>();

    /** An empty report on {@code file} (a dump or a folder); {@code mode} names what was run, for the header. */
    public ParityReport(Path file, String mode) {
        this.file = file;
        this.mode = mode;
    }

    public void values(String name, float[] expected, float[] actual, double tolerance) {
        checks.add(compare(name, expected, actual, tolerance));
    }

    public void gradient(String name, float[] expected, float[] actual, double tolerance) {
        gradients.add(compare(name, expected, actual, tolerance));
    }

    public void requireGradients(int parameters) {
        if (gradients.isEmpty()) checks.add(new Check("grad.* (none in the dump)", parameters, 0, true, false));
    }

    /** An expected output the model did not produce: always a failure. */
    public void missing(String name) {
        checks.add(new Check(name, Double.POSITIVE_INFINITY, 0, false, false));
    }

    public void exact(String name, int[] expected, int[] actual) {
        long wrong = Math.abs(expected.length - actual.length);
        for (int i = 0; i < Math.min(expected.length, actual.length); i++) if (expected[i] != actual[i]) wrong++;
        checks.add(new Check(name, wrong, 0, true, wrong == 0));
    }

    /** {@code total} cases (of a tokenizer, template or processor folder) checked exactly; {@code failures} describes each that differs. */
    public void cases(String name, int total, List<String> failures) {
        checks.add(new Check(name + " (" + total + " cases)", failures.size(), 0, true, failures.isEmpty(),
                failures.isEmpty() ? "" : failures.size() + " of " + total + " differ; first: " + failures.getFirst()));
    }

    private static Check compare(String name, float[] expected, float[] actual, double tolerance) {
        if (expected.length != actual.length) return new Check(name + " (size " + actual.length + " vs " + expected.length + ")", Double.POSITIVE_INFINITY, tolerance, false, false);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= max)) max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        }
        return new Check(name, max, tolerance, false, max <= tolerance);
    }

    public String mode() { return mode; }

    public Path file() { return file; }

    /** The output checks, then the trained-parameter or route checks. */
    public List<Check> checks() { return checks; }

    public List<Check> gradients() { return gradients; }

    /** The gradient with the largest difference relative to its tolerance, or null. */
    public Check worstGradient() {
        Check worst = null;
        for (Check c : gradients) if (worst == null || c.maxDiff() > worst.maxDiff()) worst = c;
        return worst;
    }

    public boolean passed() {
        return checks.stream().allMatch(Check::passed) && gradients.stream().allMatch(Check::passed);
    }

    /** The lines the CLI prints: every output check, the worst gradient, and any failing gradient. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        boolean manyFinal = checks.stream().filter(c -> c.name().startsWith("final.")).count() > 8;
        Check worstFinal = null;
        for (Check c : checks) {
            if (manyFinal && c.name().startsWith("final.")) {
                if (worstFinal == null || c.maxDiff() > worstFinal.maxDiff()) worstFinal = c;
                if (!c.passed()) out.add(c.line());
                continue;
            }
            out.add(c.line());
        }
        if (worstFinal != null) out.add("worst parameter after training: " + worstFinal.line().strip());
        Check worst = worstGradient();
        if (worst != null) {
            out.add("worst of " + gradients.size() + " gradients: " + worst.line().strip());
            for (Check g : gradients) if (!g.passed() && g != worst) out.add(g.line());
        }
        return out;
    }
}
