/**
 * The whole engine run on one machine, as the demo, the benchmark and the integration tests run it:
 * broker, features job and scoring app started and stopped together
 * ({@link io.moerec.jobs.pipeline.PipelineSession}), what they publish observed and measured
 * ({@link io.moerec.jobs.pipeline.PipelineObservations}), and the demo's live view.
 */
package io.moerec.jobs.pipeline;
