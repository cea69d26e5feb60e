/**
 * A real single-node Kafka broker in KRaft mode started in this JVM on loopback
 * ({@link io.moerec.jobs.broker.EmbeddedKafkaBroker}), with optional SASL and TLS listeners, the
 * client settings that reach them, and topic creation from the topic descriptors.
 */
package io.moerec.jobs.broker;
