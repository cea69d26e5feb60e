/**
 * Data sets on disk in any supported layout ({@link io.moerec.ingest.source.DataSet}, opened by
 * {@link io.moerec.ingest.datasets.DataSets}), read lazily as parsed records that keep the original
 * bytes of every rejected line.
 */
package io.moerec.ingest.source;
