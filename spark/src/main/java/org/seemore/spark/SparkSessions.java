package org.seemore.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.seemore.UserException;

/** The Spark session of a command: the given master, or the one spark-submit (or a notebook) set up. */
public final class SparkSessions {
    private SparkSessions() {}

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
        try {
            return SparkSession.builder().config(conf).getOrCreate();
        } catch (Exception e) { // Spark's SparkException, e.g. "Could not parse Master URL: 'x'", is checked but undeclared
            String why = String.valueOf(e.getMessage()).strip().lines().findFirst().orElse(e.getClass().getSimpleName());
            throw new UserException("--master " + conf.get("spark.master") + ": Spark could not start: " + why);
        }
    }
}
