/**
 * Small pure numeric kernels (softmax, sigmoid, top-k selection) shared by the models, routers and
 * scorers.
 */
package io.moerec.moe.math;
