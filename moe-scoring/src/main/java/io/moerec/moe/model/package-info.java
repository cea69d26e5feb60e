/**
 * The parts of the MoE: the user vector and expert features, the item-to-item neighbourhoods and
 * models (EASE's closed form, its sparse top-M form with recency-weighted candidates), the movie
 * table, the Tribuo genre experts and gate, and their compiled array forms proven equal to Tribuo's
 * predictions.
 */
package io.moerec.moe.model;
