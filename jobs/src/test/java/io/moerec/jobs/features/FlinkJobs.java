package io.moerec.jobs.features;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.apache.flink.core.execution.JobClient;

/** Test helpers for jobs submitted to a MiniCluster. */
public final class FlinkJobs {

    private FlinkJobs() {
    }

    /**
     * Cancels the job and returns once it has ended. {@code cancel()} completes when the request is
     * acknowledged, while tasks still run and checkpoint files are still written; a job restored from the
     * same checkpoints, or a temporary directory removed, right after it would race with them.
     */
    public static void cancelAndAwaitEnd(JobClient job) throws Exception {
        job.cancel().get();
        try {
            job.getJobExecutionResult().get(); // completes once the job master has finished with the job
        } catch (ExecutionException expected) {
            // a cancelled job's result is the cancellation
        }
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!job.getJobStatus().get().isGloballyTerminalState()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("job " + job.getJobID() + " did not end within 2 minutes of its cancellation");
            }
            Thread.sleep(50); // polling interval of a deadline-bounded wait
        }
    }
}
