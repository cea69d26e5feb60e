/**
 * The Flink features job around the feature logic: the pipeline built from injected sources and
 * sinks ({@link io.moerec.features.flink.FeaturesPipeline}), its keyed and broadcast functions,
 * dead-lettering of undecodable records, and the production Kafka connectors.
 */
package io.moerec.features.flink;
