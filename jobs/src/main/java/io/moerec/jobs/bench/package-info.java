/**
 * Benchmark harnesses of the embedded engine, {@code moerec bench} above all, and the reports they
 * write.
 */
package io.moerec.jobs.bench;
