/**
 * Continuous training without Kafka or Flink: the bounded training window, the retraining cadence,
 * the prequential hold-out score, the bless-before-publish decision and the on-disk model store.
 */
package io.moerec.moe.lifecycle;
