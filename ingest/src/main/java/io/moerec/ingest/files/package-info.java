/**
 * File-system helpers shared by the commands, benchmarks and tests.
 */
package io.moerec.ingest.files;
