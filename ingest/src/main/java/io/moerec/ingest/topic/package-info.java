/**
 * The project's Kafka topics, each defined once as a typed, immutable
 * {@link io.moerec.ingest.topic.Topic} (name, serdes, partitions, configuration), with the serdes
 * and the dead-letter records they use.
 */
package io.moerec.ingest.topic;
