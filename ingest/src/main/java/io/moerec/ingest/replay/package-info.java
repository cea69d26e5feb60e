/**
 * Publishing a data set to Kafka: the catalog to the compacted movies topic and the viewing events,
 * as fast as possible, time-scaled or at a fixed rate, with every rejected line to the dead-letter
 * topic and a summary of what the broker acknowledged.
 */
package io.moerec.ingest.replay;
