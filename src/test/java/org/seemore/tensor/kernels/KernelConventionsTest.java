package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Rules of the kernel code that no single kernel test sees, checked on the sources
 * ({@code src/main/java}, read from the project directory the build runs tests in): one vector
 * species, and the reference convention of {@code org.seemore.tensor.kernels}'s package comment:
 * {@code FooReference} stands beside {@code Foo} with the same method names, and only tests run it.
 */
class KernelConventionsTest {

    @Test
    void theVectorSpeciesIsDefinedOnceInVectorMath() {
        Pattern species = Pattern.compile("\\b(Float|Double|Long|Int|Short|Byte)Vector\\.SPECIES_\\w+");
        List<String> defining = Sources.all().stream().filter(f -> species.matcher(Sources.read(f)).find()).map(Path::toString).toList();
        assertThat(defining).containsExactly("org/seemore/tensor/kernels/VectorMath.java");
    }

    @Test
    void everyReferenceStandsBesideItsFastClassWithTheSameMethodNames() {
        Pattern method = Pattern.compile("(?m)^\\s*(?:public\\s+)?static\\s+[\\w<>\\[\\],.? ]+?\\s+(\\w+)\\s*\\(");
        List<Path> references = Sources.references();
        assertThat(references).as("reference classes").hasSizeGreaterThanOrEqualTo(10);
        List<String> problems = new ArrayList<>();
        for (Path reference : references) {
            Path fast = reference.resolveSibling(Sources.fastClassOf(reference) + ".java");
            if (!Files.isRegularFile(Sources.MAIN.resolve(fast))) {
                problems.add(reference + " has no " + fast.getFileName() + " beside it");
                continue;
            }
            String fastCode = Sources.code(fast);
            Matcher m = method.matcher(Sources.code(reference));
            while (m.find()) {
                if (!Pattern.compile("static\\s+[^=;(]*\\b" + m.group(1) + "\\s*\\(").matcher(fastCode).find()) {
                    problems.add(reference + " has " + m.group(1) + "(), which " + fast.getFileName() + " does not");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void noReferenceRunsInTheProgram() {
        Pattern use = Pattern.compile("\\b\\w+Reference\\s*(\\.|::)");
        Pattern referenceMethod = Pattern.compile("\\s\\w+\\s+reference\\s*\\(");
        List<String> offenders = new ArrayList<>();
        for (Path f : Sources.all()) {
            if (f.getFileName().toString().endsWith("Reference.java")) continue;
            String code = Sources.code(f);
            if (use.matcher(code).find()) offenders.add(f + " calls a reference class");
            if (referenceMethod.matcher(code).find()) offenders.add(f + " declares a reference method inside a fast class");
        }
        assertThat(offenders).isEmpty();
    }
}
