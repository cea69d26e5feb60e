/**
 * The continuous trainer: follows {@code viewing-events} and {@code movies}, retrains on a cadence,
 * blesses each candidate against the serving model on held-out events, and announces only a model
 * that is no worse on {@code models}, keeping every candidate in the model store.
 */
package io.moerec.jobs.trainer;
