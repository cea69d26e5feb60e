/**
 * The trained genre-expert mixture of experts ({@link io.moerec.moe.MoeModel}) and its scorers on
 * the compiled path, free of Kafka and Flink.
 */
package io.moerec.moe;
