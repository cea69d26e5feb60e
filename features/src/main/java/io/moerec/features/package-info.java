/**
 * The one pure, framework-free implementation of the user-preference feature logic
 * ({@link io.moerec.features.PreferenceFeatureLogic}) with its state and configuration, called
 * alike by the Flink job, the MoE trainer and the tests.
 */
package io.moerec.features;
