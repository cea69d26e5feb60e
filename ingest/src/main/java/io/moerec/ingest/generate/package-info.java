/**
 * The seeded synthetic data generator: a catalog and viewing log with planted taste clusters, written
 * as a {@link io.moerec.ingest.source.JsonLinesDataSet} plus the ground truth
 * ({@link io.moerec.ingest.generate.PlantedStructure}) that tests and the MoE trainer check against.
 */
package io.moerec.ingest.generate;
