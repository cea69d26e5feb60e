/**
 * The {@code moerec} command line ({@link io.moerec.jobs.cli.MoerecCli}): one picocli command per
 * task, each parsing and validating its options and handing over to the tested classes.
 */
package io.moerec.jobs.cli;
