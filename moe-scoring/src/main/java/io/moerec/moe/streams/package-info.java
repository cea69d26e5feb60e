/**
 * The Kafka Streams scoring app around the MoE ({@link io.moerec.moe.streams.ScoringApp}): the
 * scoring topology and its stores, live model updates, the HTTP look-up, metrics and
 * dead-lettering.
 */
package io.moerec.moe.streams;
