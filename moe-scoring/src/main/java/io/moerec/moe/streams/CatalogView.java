package io.moerec.moe.streams;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A change counter of the catalog global store: the global-store processor bumps it on every catalog
 * record it applies, and scoring processors rebuild their in-memory "is in the catalog" set when it
 * moved. Records restored at start-up bypass the processor; scoring tasks start with no set and build
 * one on first use, after restoration. One per topology instance; thread-safe.
 */
public final class CatalogView {

    private final AtomicLong generation = new AtomicLong();

    void changed() {
        generation.incrementAndGet();
    }

    long generation() {
        return generation.get();
    }
}
