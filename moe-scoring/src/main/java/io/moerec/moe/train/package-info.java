/**
 * Training the MoE from an event log through the one feature logic
 * ({@link io.moerec.moe.train.MoeTrainer}), with its configuration and the provenance every bundle
 * carries.
 */
package io.moerec.moe.train;
