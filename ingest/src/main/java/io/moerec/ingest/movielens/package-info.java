/**
 * Loaders for the public MovieLens releases (ml-100k, ml-1m, ml-latest/ml-latest-small), each a
 * {@link io.moerec.ingest.source.DataSet}: ratings become COMPLETE + RATE event pairs, genres map onto
 * the fixed vocabulary, and every bad line becomes a precise rejection with its original bytes.
 * Normally reached through {@link io.moerec.ingest.datasets.DataSets#open}.
 */
package io.moerec.ingest.movielens;
