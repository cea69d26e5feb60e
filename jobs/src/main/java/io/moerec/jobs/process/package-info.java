/**
 * Child JVMs started by the project (the features job and the scoring app of the embedded engine),
 * their output logged to a file, stopped for sure on close.
 */
package io.moerec.jobs.process;
