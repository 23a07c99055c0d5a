package org.seemore.spark;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.seemore.UserException;

/** The Spark session of a command: the given master, or the one spark-submit (or a notebook) set up. */
public final class SparkSessions {
    private SparkSessions() {}

    /** The jars holding this module's and the core's classes (none when they are class directories, as in tests). */
    static List<String> applicationJars() {
        Set<String> jars = new LinkedHashSet<>();
        for (Class<?> c : List.of(SparkSessions.class, org.seemore.model.Vlm.class)) {
            var source = c.getProtectionDomain().getCodeSource();
            if (source == null) continue;
            try {
                Path path = Path.of(source.getLocation().toURI());
                if (path.toString().endsWith(".jar")) jars.add(path.toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return List.copyOf(jars);
    }

    /**
     * @param master {@code local[N]}, {@code spark://HOST:PORT}, ... ; null takes spark-submit's (or local[*])
     */
    public static SparkSession open(String appName, String master) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null) conf.setMaster(master);
        else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        // executors run the core's Vector API kernels; Spark adds its own --add-opens list to these options
        String extra = conf.get("spark.executor.extraJavaOptions", "");
        if (!extra.contains("jdk.incubator.vector")) {
            conf.set("spark.executor.extraJavaOptions", ("--add-modules=jdk.incubator.vector -Xss8m " + extra).strip());
        }
        conf.setIfMissing("spark.ui.enabled", "false");
        // `./seemore spark --master spark://...` is its own driver: executors get this module's and the core's
        // jars from it (spark-submit ships its application jar itself)
        if (!conf.get("spark.master").startsWith("local") && !conf.contains("spark.jars")) {
            List<String> jars = applicationJars();
            if (!jars.isEmpty()) conf.set("spark.jars", String.join(",", jars));
        }
        try {
            return SparkSession.builder().config(conf).getOrCreate();
        } catch (Exception e) { // Spark's SparkException, e.g. "Could not parse Master URL: 'x'", is checked but undeclared
            String why = String.valueOf(e.getMessage()).strip().lines().findFirst().orElse(e.getClass().getSimpleName());
            throw new UserException("--master " + conf.get("spark.master") + ": Spark could not start: " + why);
        }
    }
}
