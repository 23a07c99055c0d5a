package org.seemore.spark;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Tells the user when Spark retries a training task: a task of a round's job that ends in failure (its
 * executor was lost, it threw) is reported on one line, with the round's first step and the worker.
 * Spark runs the task again from the same broadcast parameters, so the round still completes and
 * training continues from the last completed round. Rounds are recognized by a job property.
 */
final class RoundWatcher extends SparkListener {
    /** The local property that marks a round's job with its first step. */
    static final String ROUND = "seemore.train.round";

    private final Consumer<String> notice;
    private final ConcurrentHashMap<Integer, Long> stageRound = new ConcurrentHashMap<>();
    private final Set<String> failures = ConcurrentHashMap.newKeySet();

    RoundWatcher(Consumer<String> notice) {
        this.notice = notice;
    }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
        String round = job.properties() == null ? null : job.properties().getProperty(ROUND);
        if (round == null) return;
        for (Object stage : CollectionConverters.asJava(job.stageIds())) stageRound.put((Integer) stage, Long.parseLong(round));
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        Long step = stageRound.get(end.stageId());
        if (step == null || !(end.reason() instanceof TaskFailedReason failed)) return;
        String why = failed.toErrorString().strip().lines().findFirst().orElse("failed");
        failures.add(step + "/" + end.taskInfo().index());
        notice.accept(String.format("round at step %d: worker %d's task failed on executor %s (%s); Spark retries it from the same parameters (up to spark.task.maxFailures attempts)",
                step, end.taskInfo().index(), end.taskInfo().executorId(), why));
    }

    /** How many distinct (round, worker) tasks failed at least once. */
    int failedTasks() {
        return failures.size();
    }
}
