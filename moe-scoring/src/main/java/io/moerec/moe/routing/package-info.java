/**
 * The selectable routers ({@link io.moerec.moe.routing.RouterKind}: softmax, balanced, eigen,
 * dense) that choose which genre experts score a user and with what weights.
 */
package io.moerec.moe.routing;
