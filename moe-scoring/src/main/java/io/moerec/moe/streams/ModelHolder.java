package io.moerec.moe.streams;

import io.moerec.moe.MoeModel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model that scores right now. A new model is loaded and verified completely before
 * {@link #swap} publishes it with one atomic reference write, so a scoring thread sees either the old
 * or the new model whole, never a half-loaded one; a thread that read the old model finishes its
 * event with it. Thread-safe.
 */
public final class ModelHolder {

    private final AtomicReference<MoeModel> current;

    public ModelHolder(MoeModel initial) {
        current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    }

    public MoeModel current() {
        return current.get();
    }

    /** Publishes a fully loaded model; returns the one it replaces. */
    public MoeModel swap(MoeModel next) {
        return current.getAndSet(Objects.requireNonNull(next, "next"));
    }
}
