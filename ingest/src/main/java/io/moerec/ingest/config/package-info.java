/**
 * Configuration shared by every app: one key spec per app ({@link io.moerec.ingest.config.ConfigSpec})
 * that builds the layered, validated configuration ({@link io.moerec.ingest.config.LayeredConfig}) and
 * the reference table, the shared value checks, and the Kafka client settings with their start-up check.
 */
package io.moerec.ingest.config;
