/**
 * The offline evaluation: a per-user temporal split, the MoE against its baselines and the
 * item-to-item peers (chosen on a validation cut) under full-catalog ranking, ranking metrics with standard errors and routing statistics, rendered as a
 * report.
 */
package io.moerec.moe.eval;
