/**
 * Configuration shared by every app: typed, validated reads of key-value settings, the layering of
 * a properties file, environment variables and explicit settings, Kafka client properties passed
 * through (validated and masked), and the start-up check that the cluster is reachable with them.
 */
package io.moerec.ingest.config;
