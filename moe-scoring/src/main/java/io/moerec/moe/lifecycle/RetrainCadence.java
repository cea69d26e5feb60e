package io.moerec.moe.lifecycle;

/**
 * When to train the next candidate. Before any model exists, as soon as the window is first full
 * (the bootstrap); after that, when at least {@code everyEvents} new events have arrived since the
 * last training (0 = no event trigger) or {@code everyMillis} have passed since it with at least one
 * new event (0 = no time trigger). At least one trigger must be on.
 */
public record RetrainCadence(long everyEvents, long everyMillis) {

    public RetrainCadence {
        if (everyEvents < 0 || everyMillis < 0) {
            throw new IllegalArgumentException("cadence triggers must not be negative: " + everyEvents + " events, "
                    + everyMillis + " ms");
        }
        if (everyEvents == 0 && everyMillis == 0) {
            throw new IllegalArgumentException("a cadence needs an event trigger, a time trigger or both");
        }
    }

    /**
     * @param hasModel       whether a model was trained before (by this process or one before it)
     * @param windowFull     whether the window holds its full number of events
     * @param newEvents      events added since the last training
     * @param millisSinceLast time since the last training (or since start-up, before the first)
     */
    public boolean due(boolean hasModel, boolean windowFull, long newEvents, long millisSinceLast) {
        if (!hasModel) {
            return windowFull;
        }
        if (newEvents == 0) {
            return false;
        }
        return (everyEvents > 0 && newEvents >= everyEvents) || (everyMillis > 0 && millisSinceLast >= everyMillis);
    }
}
