/**
 * The entry point of the Flink features job ({@link io.moerec.jobs.features.FeaturesJob},
 * configured by {@link io.moerec.features.flink.FeaturesJobConfig}) and the tooling around it.
 */
package io.moerec.jobs.features;
